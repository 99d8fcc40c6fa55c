"""MyST sources to notebooks, and the few facts about nbgrader cells the pipeline needs."""

from __future__ import annotations

import jupytext
import nbformat

from pipeline.paths import source_md, source_notebook

SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_TESTS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def read_source(week: str) -> nbformat.NotebookNode:
    """The week's MyST source as a notebook: solutions and hidden tests included."""
    notebook = jupytext.read(source_md(week))
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(notebook.cells):
        cell.id = f"{week}-{index:03d}"  # stable ids: regenerating gives identical files
    return notebook


def write_source_notebook(week: str) -> bool:
    """Write `source/weekNN/weekNN.ipynb` (what nbgrader reads). True when it changed."""
    text = nbformat.writes(read_source(week)) + "\n"
    target = source_notebook(week)
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return False
    target.write_text(text, encoding="utf-8")
    return True


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def is_solution(cell) -> bool:
    return bool(nbgrader_meta(cell).get("solution"))


def is_graded(cell) -> bool:
    return bool(nbgrader_meta(cell).get("grade"))


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def without_block(text: str, markers: tuple[str, str], replacement: list[str] | None = None) -> str:
    """`text` with every region between `markers` (inclusive) replaced, keeping indentation."""
    begin, end = markers
    out, inside = [], False
    for line in text.splitlines():
        if line.strip().startswith(begin):
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + item for item in replacement or []]
        elif line.strip().startswith(end):
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def stub(text: str) -> str:
    """What the student sees in place of a solution (as nbgrader's ClearSolutions writes it)."""
    return without_block(text, SOLUTION, ["# YOUR CODE HERE", "raise NotImplementedError()"])


def visible_tests(text: str) -> str:
    return without_block(text, HIDDEN_TESTS)
