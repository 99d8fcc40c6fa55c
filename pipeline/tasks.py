"""Each week's course tasks and what grades them: the `course: tasks:` list in the week's front matter.

    course:
      tasks:
      - {id: T01, task: "list to array, inches to metres", graded_by: [convert_units_tests]}
      - {id: T09, task: "which continent lives longest?", not_graded: "free opinion"}

`graded_by` names the graded test cells that grade the task; `partly` says what of it they do not
grade; a task nobody can grade by behaviour (a free opinion, an external video) names why in
`not_graded` and is not counted. `python3 course.py tasks [weekNN ...]` prints the tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jupytext

from pipeline.course import Course

FULL, PARTLY, NOT_GRADED = "graded", "partly graded", "not graded"


@dataclass
class Task:
    id: str
    task: str
    graded_by: list[str] = field(default_factory=list)
    partly: str = ""
    not_graded: str = ""

    @property
    def status(self) -> str:
        if self.not_graded:
            return NOT_GRADED
        return PARTLY if self.partly or not self.graded_by else FULL


def tasks(course: Course, week: str) -> list[Task]:
    """The week's tasks as its source lists them (the front matter jupytext keeps as metadata)."""
    listed = jupytext.read(course.source_md(week)).metadata.get("course", {}).get("tasks", [])
    return [Task(**item) for item in listed]


def _why(task: Task) -> str:
    said = task.partly or task.not_graded
    return f": {said}" if said else ""


def table(course: Course, week: str) -> str:
    """The week's tasks as a Markdown table, and the share of the gradable ones fully graded."""
    found = tasks(course, week)
    rows = [f"| {task.id} | {task.task} | {', '.join(f'`{cell}`' for cell in task.graded_by) or '-'} | "
            f"{task.status}{_why(task)} |" for task in found]
    gradable = [task for task in found if task.status != NOT_GRADED]
    full = sum(task.status == FULL for task in gradable)
    return "\n".join([f"{week}: {full} of {len(gradable)} gradable tasks fully graded "
                      f"({len(found) - len(gradable)} not gradable)", "",
                      "| task | what | graded by | status |", "| --- | --- | --- | --- |", *rows])
