"""Where the weeks are listed for readers: the book's table of contents and landing page, and the
README. Each list is written from the weeks' own first headings, so adding a week is writing it.

`course.py release` rewrites them; the suite fails when a committed list is out of date.
"""

from __future__ import annotations

import re

from pipeline.course import Course

BEGIN, END = "<!-- the weeks: written by course.py release -->", "<!-- end of the weeks -->"
TOC_HEAD = """\
# Table of contents (Jupyter Book 1.x), written by `python3 course.py release` from source/: the weeks
# point at the reader editions that `python3 course.py book` generates into reader/.
format: jb-book
root: book/index
parts:
  - caption: Getting started
    chapters:
      - file: book/setup
      - file: book/instructors
  - caption: The course
    chapters:
"""


def toc(course: Course) -> str:
    return TOC_HEAD + "".join(f"      - file: reader/{week}/{week}\n" for week in course.weeks())


def landing_table(course: Course) -> str:
    rows = [f"| {int(week[4:])} | {course.title(week).split(' - ', 1)[-1]} |" for week in course.weeks()]
    return "\n".join(["| week | topic |", "| --- | --- |", *rows])


def readme_list(course: Course) -> str:
    return "\n".join(f"- {course.title(week)}" for week in course.weeks())


def _between_markers(text: str, content: str) -> str:
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise ValueError(f"the markers {BEGIN} ... {END} are missing")
    return pattern.sub(lambda _: f"{BEGIN}\n{content}\n{END}", text)


def listings(course: Course) -> dict:
    """{file: its text with the weeks listed as they are now}, for the files the course has (a
    throwaway copy for grading has none)."""
    index, readme, contents = (course.root / name for name in ("book/index.md", "README.md", "_toc.yml"))
    found = {}
    if contents.exists():
        found[contents] = toc(course)
    for file, listed in ((index, landing_table(course)), (readme, readme_list(course))):
        if file.exists():
            found[file] = _between_markers(file.read_text(encoding="utf-8"), listed)
    return found


def write_listings(course: Course) -> list:
    """Rewrite the lists that are out of date; the files changed."""
    changed = []
    for file, text in listings(course).items():
        if file.read_text(encoding="utf-8") != text:
            file.write_text(text, encoding="utf-8")
            changed.append(file)
    return changed
