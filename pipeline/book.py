"""The book: reader editions of every week, then Jupyter Book 1 with warnings as errors.

Execution is cached (`_build/.jupyter_cache`), and a reader edition is rewritten only when its
source changed, so a rebuild with no change executes nothing. Publish `_build/html` only: the
execution cache and `_build/jupyter_execute` hold the solutions.
"""

from __future__ import annotations

import subprocess

from pipeline import run
from pipeline.course import Course
from pipeline.reader import write_all

BOOK_ENVIRONMENT = {
    "COURSE_STATIC_FIGURES": "1",  # helpers.widgets draws figures, not sliders
    "COURSE_GUARDS_STRICT": "1",  # every exercise is solved: a guard that fires is an error
    "TQDM_DISABLE": "1",  # a page shows results, not a progress bar printed line by line
}


def build(course: Course) -> int:
    write_all(course)
    command = [str(run.BIN / "jupyter-book"), "build", str(course.root), "--warningiserror", "--keep-going",
               "--path-output", str(course.root)]
    return subprocess.run(command, cwd=course.root, env=run.environment(**BOOK_ENVIRONMENT)).returncode
