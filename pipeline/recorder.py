"""The grading run's only writer: results into the course's gradebook and `autograded/`.

nbgrader's own pieces, in the order its Autograde uses them: the student and the submission (with
its timestamp) into the gradebook, `SaveAutoGrades` and `AssignLatePenalties` over each returned
notebook, zero for a notebook not handed in; then `autograded/<student>/<week>/`, its notebooks
last and whole (a whole notebook means a recorded grade). nbgrader's whole Autograde converter
is not run again here: it would pass over each notebook twice more, and the head, the one writer,
would limit a large cluster.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from pipeline import gradebook
from pipeline.course import Course
from pipeline.grading import Result, write_files


class Recorder:
    def __init__(self, course: Course, week: str):
        self.course, self.week = course, week
        self.config = course.nbgrader_config()

    def record(self, result: Result) -> Result:
        """`result` as recorded (files and scores dropped), or why it could not be."""
        if not result.ok:
            return Result(result.student, False, result.detail)
        folder = self.course.autograded / result.student / self.week
        notebooks = {name: data for name, data in result.files.items() if _is_notebook(name)}
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        write_files(folder, {name: data for name, data in result.files.items() if name not in notebooks})
        try:
            self._submission(result.student, folder, notebooks)
            for name, data in notebooks.items():
                self._scores(result.student, Path(name).stem, data)
        except Exception as error:  # the gradebook refused: nothing of it counts as graded
            return Result(result.student, False, f"recording failed: {type(error).__name__}: {error}")
        here = gradebook.scores(self.course.gradebook_url, self.week, result.student)
        if here != result.scores:  # never seen: the worker's gradebook and this one disagree
            return Result(result.student, False, f"scores here {here}, on the worker {result.scores}")
        for name, data in notebooks.items():
            _write_whole(folder / name, data)
        return Result(result.student, True, result.detail)

    def _submission(self, student: str, folder: Path, notebooks: dict[str, bytes]) -> None:
        """The student and the submission, with the timestamp handed in; zero for a notebook that
        was not (as nbgrader's Autograde does)."""
        from nbgrader.coursedir import CourseDirectory

        timestamp = CourseDirectory(config=self.config).get_existing_timestamp(str(folder))
        with self.course.gradebook() as book:
            book.update_or_create_student(student)
            when = {"timestamp": timestamp} if timestamp else {}
            book.update_or_create_submission(self.week, student, **when)
            for notebook in book.find_assignment(self.week).notebooks:
                if f"{notebook.name}.ipynb" not in notebooks:
                    for grade in book.find_submission_notebook(notebook.name, self.week, student).grades:
                        grade.auto_score, grade.needs_manual_grade = 0, False
            book.db.commit()

    def _scores(self, student: str, name: str, data: bytes) -> None:
        from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades

        resources = {"nbgrader": {"student": student, "assignment": self.week, "notebook": name,
                                  "db_url": self.course.gradebook_url}}
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
        for step in (SaveAutoGrades(config=self.config), AssignLatePenalties(config=self.config)):
            notebook, resources = step.preprocess(notebook, resources)


def _is_notebook(name: str) -> bool:
    return name.endswith(".ipynb") and "/" not in name


def _write_whole(target: Path, data: bytes) -> None:
    """Written beside, then renamed: a notebook in autograded/ is never half there."""
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(data)
    partial.replace(target)
