"""Execute a notebook and score it the way autograding does (without the sandbox).

The test suite uses this to prove that a reference solution earns every point and a wrong one
does not; `python course.py bench` uses it to time the weeks.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbgrader.utils import determine_grade

from pipeline.config import CELL_TIMEOUT, STDERR_NOISE
from pipeline.notebooks import grade_id, is_graded


def execute(notebook: nbformat.NotebookNode, folder: Path, upto: int | None = None,
            timeout: int = CELL_TIMEOUT) -> nbformat.NotebookNode:
    """Run the cells of `notebook` (only the first `upto` when given) in `folder`; keep errors."""
    if upto is not None:
        notebook.cells = notebook.cells[:upto]
    client = NotebookClient(notebook, timeout=timeout, allow_errors=True, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})
    client.execute()
    return notebook


def scores(notebook: nbformat.NotebookNode) -> dict[str, tuple[float, float]]:
    """{grade_id: (points earned, points possible)} for every graded cell."""
    result = {}
    for cell in notebook.cells:
        if cell.cell_type == "code" and is_graded(cell):
            cell.outputs = [output for output in cell.get("outputs", []) if not _noise(output)]
            result[grade_id(cell)] = determine_grade(cell)
    return result


def _noise(output) -> bool:
    return (output.output_type == "stream" and output.name == "stderr"
            and re.search(STDERR_NOISE, output.text) is not None)


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
