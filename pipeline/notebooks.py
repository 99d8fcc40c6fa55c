"""MyST sources to notebooks, and the few facts about nbgrader cells the pipeline needs."""

from __future__ import annotations

import copy

import jupytext
import nbformat
from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions
from nbgrader.utils import is_grade, is_solution

from pipeline.course import Course

SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_TESTS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
CODE_STUB = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
TEXT_STUB = "YOUR ANSWER HERE"


def read_source(week: str, course: Course | None = None) -> nbformat.NotebookNode:
    """The week's MyST source as a notebook: solutions and hidden tests included."""
    notebook = jupytext.read((course or Course.here()).source_md(week))
    notebook.metadata.pop("jupytext", None)
    notebook.metadata.pop("course", None)  # the week's task table (pipeline/tasks.py): not for students
    notebook.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(notebook.cells):
        cell.id = f"{week}-{index:03d}"  # stable ids: regenerating gives identical files
    return notebook


def write_source_notebook(course: Course, week: str) -> bool:
    """Write `source/weekNN/weekNN.ipynb` (what nbgrader reads). True when it changed."""
    text = nbformat.writes(read_source(week, course)) + "\n"
    target = course.source_notebook(week)
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return False
    target.write_text(text, encoding="utf-8")
    return True


def cells_of(path) -> list:
    """The cells of the notebook at `path`; none if it is missing or can't be read (a broken hand-in)."""
    try:
        return nbformat.read(path, as_version=4).cells
    except (OSError, ValueError):
        return []


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_test(cell) -> bool:
    """An autograded test cell (graded, not an answer)."""
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def student_view(cell) -> nbformat.NotebookNode:
    """A copy of `cell` as nbgrader releases it: solution replaced by the stub, hidden tests removed.

    nbgrader's own preprocessors do it, so an unterminated or nested block fails loudly here too.
    """
    cell = copy.deepcopy(cell)
    ClearSolutions(code_stub=CODE_STUB, text_stub=TEXT_STUB).preprocess_cell(cell, {"language": "python"}, 0)
    ClearHiddenTests().preprocess_cell(cell, {}, 0)
    return cell
