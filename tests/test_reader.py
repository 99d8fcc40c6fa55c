"""The reader edition shows starter code and visible tests, runs the solutions, hides them."""

from __future__ import annotations

import pytest

from pipeline.notebooks import HIDDEN_TESTS, SOLUTION, grade_id, is_solution, read_source
from pipeline.reader import reader_notebook
from tests.support import COURSE, WEEKS, by_week


def tagged(cell, tag):
    return tag in cell.metadata.get("tags", [])


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_solutions_run_hidden_and_starters_show(week):
    notebook = reader_notebook(COURSE, week)
    solutions = [grade_id(c) for c in read_source(week).cells if is_solution(c) and c.cell_type == "code"]
    hidden = [c for c in notebook.cells if tagged(c, "remove-cell")]
    starters = [c for c in notebook.cells if tagged(c, "skip-execution")]
    assert len(hidden) == len(starters) == len(solutions)
    for starter in starters:
        assert "raise NotImplementedError()" in starter.source and SOLUTION[0] not in starter.source
    shown = "\n".join(c.source for c in notebook.cells if not tagged(c, "remove-cell"))
    for marker in (*SOLUTION, *HIDDEN_TESTS):
        assert marker not in shown
    assert all("nbgrader" not in c.metadata for c in notebook.cells)


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_published_solutions_are_folded_not_removed(week):
    notebook = reader_notebook(COURSE, week, solutions=True)
    assert not any(tagged(c, "remove-cell") for c in notebook.cells)
    assert any(tagged(c, "hide-input") and SOLUTION[0] in c.source for c in notebook.cells)
    assert not any(HIDDEN_TESTS[0] in c.source for c in notebook.cells)
