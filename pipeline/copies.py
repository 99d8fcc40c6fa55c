"""Throwaway copies of the course with hand-ins: the suite and `bench --grading` grade there.

Grading in a copy never touches the real gradebook, `submitted/` or `autograded/`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from helpers.data import data_dir
from pipeline import run
from pipeline.course import Course
from pipeline.notebooks import grade_id, is_solution, read_source

COPIED = ["nbgrader_config.py", "_config.yml", "pipeline", "helpers", "source", "release"]


def copy_course(target: Path, weeks: list[str] | None = None, course: Course | None = None) -> Course:
    """Copy what grading needs of `course` into `target`; only `weeks` of source/ when given."""
    course = course or Course.here()
    target.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        item = course.root / name
        ignore = shutil.ignore_patterns("*.ipynb", "__pycache__") if name == "source" else None
        if item.is_dir():
            shutil.copytree(item, target / name, ignore=ignore or shutil.ignore_patterns("__pycache__"))
        elif item.exists():
            shutil.copy2(item, target / name)
    if weeks is not None:
        for folder in (target / "source").iterdir():
            if folder.name not in weeks:
                shutil.rmtree(folder)
    (target / "DATA").symlink_to(data_dir().resolve(), target_is_directory=True)  # the datasets, not copied
    return Course(target)


def answered(release: Path, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The release notebook at `release` with `answers` ({solution grade_id: source}) filled in."""
    notebook = nbformat.read(release, as_version=4)
    for cell in notebook.cells:
        cell.source = answers.get(grade_id(cell), cell.source)
    return notebook


def hand_in(course: Course, student: str, week: str, answers: dict[str, str]) -> None:
    """Submit the release of `week` as `student`, with `answers` ({solution grade_id: source})."""
    notebook = answered(course.release_notebook(week), answers)
    folder = course.submitted / student / week
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{week}.ipynb")


def reference_answers(week: str) -> dict[str, str]:
    """The source's solution cells, as a student who solved everything would hand them in."""
    return {grade_id(cell): cell.source for cell in read_source(week).cells if is_solution(cell)}


def course_in(course: Course, *args: str, timeout: int = 1800, **env: str) -> subprocess.CompletedProcess:
    """`python3 course.py <args>` run in the copy `course` (with `env` set), its output captured."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=course.root,
                          env=run.environment(**env), capture_output=True, text=True, timeout=timeout)
