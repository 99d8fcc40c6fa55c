"""Execute a notebook and score it the way autograding does (without the sandbox).

The test suite and its judge score cells with it as nbgrader does; `python3 course.py bench` runs
the weeks with `execute` to time them.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbgrader.preprocessors import IgnorePattern
from nbgrader.utils import determine_grade, is_grade

from pipeline.config import STDERR_NOISE
from pipeline.course import CELL_TIMEOUT
from pipeline.ipc import IPCKernelManager
from pipeline.notebooks import grade_id


def execute(notebook: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    """Run the cells of `notebook` in `folder`, as a student's kernel would; keep errors."""
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, allow_errors=True, kernel_name="python3",
                            kernel_manager_class=IPCKernelManager,  # no warning about plain TCP
                            resources={"metadata": {"path": str(folder)}})
    client.execute()
    return notebook


_ignore = IgnorePattern(pattern=STDERR_NOISE, enabled=True)


def cell_score(cell) -> tuple[float, float]:
    """(earned, possible) for a graded cell, as autograding scores it (after `IgnorePattern`)."""
    cell, _ = _ignore.preprocess_cell(cell, {}, 0)
    return determine_grade(cell)


def scores(notebook: nbformat.NotebookNode) -> dict[str, tuple[float, float]]:
    """{grade_id: (points earned, points possible)} for every graded cell."""
    return {grade_id(cell): cell_score(cell) for cell in notebook.cells
            if cell.cell_type == "code" and is_grade(cell)}


def errors(notebook: nbformat.NotebookNode) -> list[str]:
    """One line per cell that raised (except those tagged to raise), naming the cell and the error."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if "raises-exception" in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"cell {index} ({grade_id(cell) or 'lecture'}): "
                             f"{output.ename}: {output.evalue}"[:500])
    return found
