"""Student notebooks: `source/weekNN/weekNN.md` → `release/weekNN/` by nbgrader, and the gradebook
learns the week (its cells, hidden tests and points) at the same time."""

from __future__ import annotations

from pipeline.course import Course
from pipeline.notebooks import write_source_notebook


class ReleaseError(RuntimeError):
    pass


def release(course: Course, week: str) -> None:
    """Generate `release/<week>/` from the source: solutions and hidden tests removed."""
    write_source_notebook(course, week)
    result = course.nbgrader().generate_assignment(week, force=True, create=True)
    if not result["success"]:
        raise ReleaseError(f"nbgrader could not release {week}:\n{result.get('error') or result.get('log')}")
    for checkpoint in (course.release / week).rglob(".ipynb_checkpoints"):
        checkpoint.rmdir()
