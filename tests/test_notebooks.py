"""Every week runs top to bottom, its reference earns every point, its blank release earns none."""

from __future__ import annotations

import nbformat
import pytest

from pipeline.paths import RELEASE, release_notebook
from pipeline.score import errors, execute, scores
from tests.conftest import WEEKS, by_week, executed_reference


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_source_runs_without_error(week):
    assert errors(executed_reference(week)) == []


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_reference_solution_earns_full_marks(week):
    earned = scores(executed_reference(week))
    assert earned, f"{week} has no graded cell"
    short = {cell: points for cell, points in earned.items() if points[0] != points[1]}
    assert short == {}


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_untouched_release_earns_nothing(week):
    notebook = execute(nbformat.read(release_notebook(week), as_version=4), RELEASE / week)
    earned = scores(notebook)
    assert earned and all(points == 0 for points, _ in earned.values()), earned
