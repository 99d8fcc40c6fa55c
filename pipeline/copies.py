"""Throwaway copies of the course with hand-ins: the suite and `bench --grading` grade there.

Grading in a copy never touches the real gradebook, `submitted/` or `autograded/`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from pipeline import run
from pipeline.notebooks import grade_id, is_solution, read_source
from pipeline.paths import ROOT

COPIED = ["nbgrader_config.py", "_config.yml", "pipeline", "source", "release"]


def copy_course(target: Path, weeks: list[str] | None = None) -> Path:
    """Copy what grading needs into `target`; only `weeks` of source/ when given."""
    target.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        item = ROOT / name
        ignore = shutil.ignore_patterns("*.ipynb", "__pycache__") if name == "source" else None
        if item.is_dir():
            shutil.copytree(item, target / name, ignore=ignore)
        else:
            shutil.copy2(item, target / name)
    if weeks is not None:
        for folder in (target / "source").iterdir():
            if folder.name not in weeks:
                shutil.rmtree(folder)
    return target


def answered(release: Path, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The release notebook at `release` with `answers` ({solution grade_id: source}) filled in."""
    notebook = nbformat.read(release, as_version=4)
    for cell in notebook.cells:
        cell.source = answers.get(grade_id(cell), cell.source)
    return notebook


def hand_in(root: Path, student: str, week: str, answers: dict[str, str]) -> None:
    """Submit the release of `week` as `student`, with `answers` ({solution grade_id: source})."""
    notebook = answered(root / "release" / week / f"{week}.ipynb", answers)
    folder = root / "submitted" / student / week
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{week}.ipynb")


def reference_answers(week: str) -> dict[str, str]:
    """The source's solution cells, as a student who solved everything would hand them in."""
    return {grade_id(cell): cell.source for cell in read_source(week).cells if is_solution(cell)}


def course_in(root: Path, *args: str, timeout: int = 1800, **env: str) -> subprocess.CompletedProcess:
    """`python -m pipeline <args>` run in the copy at `root` (with `env` set), its output captured."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=root, env=run.environment(**env),
                          capture_output=True, text=True, timeout=timeout)
