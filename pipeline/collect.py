"""Submissions from an LMS: the zip an instructor downloads becomes `submitted/<student>/<week>/`.

    python3 course.py collect week03 submissions.zip [--force]

Each file's path inside the zip is matched with nbgrader's `FileNameCollectorPlugin.named_regexp`
(set in `pipeline/config.py`; the default reads Moodle's "Download all submissions" layout,
`Ada Lovelace_123456_assignsubmission_file_/week03.ipynb`, with the number as the student id).
Whatever can't be collected is reported by name and skipped: a path the pattern does not match, a
file that is not a notebook, a notebook that can't be read or is not this week's, two notebooks of
one student. A submission already collected is replaced only with `--force`.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from pipeline.course import Course
from pipeline.notebooks import grade_id

IGNORED = ("__MACOSX/", ".DS_Store", "Thumbs.db")


@dataclass
class Collected:
    students: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def name_pattern(course: Course) -> re.Pattern:
    """The course's `FileNameCollectorPlugin.named_regexp`, the setting nbgrader's zip_collect reads."""
    return re.compile(course.nbgrader_config().FileNameCollectorPlugin.named_regexp)


def collect(course: Course, week: str, archive: Path, force: bool = False) -> Collected:
    result, found = Collected(), {}
    expected = {grade_id(cell) for cell in nbformat.read(course.release_notebook(week), 4).cells} - {None}
    pattern = name_pattern(course)
    with zipfile.ZipFile(archive) as bundle:
        for member in bundle.infolist():
            if member.is_dir() or any(part in member.filename for part in IGNORED):
                continue
            match = pattern.match(member.filename)
            if not match:
                result.problems.append(f"{member.filename}: the name does not match the pattern "
                                       "(FileNameCollectorPlugin.named_regexp)")
                continue
            student = match["student_id"]
            problem = _check(member.filename, bundle.read(member), expected, week)
            if problem:
                result.problems.append(f"{member.filename} (student {student}): {problem}")
            elif student in found:
                result.problems.append(f"{member.filename} (student {student}): a second notebook, after "
                                       f"{found[student][0]}; neither was collected")
                found[student] = (found[student][0], None)
            else:
                found[student] = (member.filename, bundle.read(member))
    for student, (_, content) in sorted(found.items()):
        if content is None:
            continue
        target = course.submitted / student / week / f"{week}.ipynb"
        if target.exists() and not force:
            result.problems.append(f"{student}: already collected in {target.relative_to(course.root)}; "
                                   "--force replaces it")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        result.students.append(student)
    return result


def _check(name: str, content: bytes, expected: set[str], week: str) -> str:
    """Why `content` is not a submission of `week`, or ''."""
    if not name.endswith(".ipynb"):
        return "not a notebook (.ipynb)"
    try:
        notebook = nbformat.reads(content.decode("utf-8"), as_version=4)
    except (UnicodeDecodeError, ValueError):
        return "not a readable notebook"
    ids = {grade_id(cell) for cell in notebook.cells} - {None}
    if len(ids & expected) * 2 < len(expected):  # weeks may share a name or two, not half
        return f"not the {week} notebook (most of its exercises are not in it)"
    return ""
