"""Every week graded end to end in a throwaway course copy: released afresh, the reference solution
and the untouched release handed in, graded by nbgrader in the sandbox, given feedback."""

from __future__ import annotations

import json

import nbformat
import pytest

from helpers.guards import STARTER
from pipeline.notebooks import grade_id, read_source
from pipeline.score import cell_score, errors
from tests.support import (
    JUDGE_CHECKED,
    WEEKS,
    assert_no_leak,
    by_week,
    exercises,
    graded_cells,
    graded_week,
    grades,
    judged,
    wrong_answers,
)

GUARD_SAID = "Run this cell again after you write"  # helpers.guards: an exercise's answer is missing


def autograded(week: str, student: str) -> nbformat.NotebookNode:
    return nbformat.read(graded_week(week).autograded / student / week / f"{week}.ipynb", as_version=4)


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_reference_earns_every_point(week):
    result = grades(graded_week(week), week)
    assert result["reference"][0] == result["reference"][1] > 0, json.dumps(result)


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_reference_runs_top_to_bottom_without_an_unexpected_error_or_a_guard(week):
    notebook = autograded(week, "reference")
    assert errors(notebook) == []
    said = [cell.source[:60] for cell in notebook.cells
            if any(GUARD_SAID in output.get("text", "") for output in cell.get("outputs", []))]
    assert said == [], "a guard fired where every exercise is solved"


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_an_untouched_release_raises_only_in_exercise_cells(week):
    """A lecture cell that uses an unsolved exercise says so in one line (helpers.guards.needs)."""
    assert [line for line in errors(autograded(week, "blank")) if "(lecture)" in line] == []
    assert STARTER in "".join(cell.source for cell in autograded(week, "blank").cells)


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_untouched_release_earns_nothing(week):
    assert grades(graded_week(week), week)["blank"][0] == 0


@pytest.mark.parametrize("week", by_week(JUDGE_CHECKED))
def test_wrong_answer_scores_what_the_fast_judge_says(week):
    """tests/judge.py (which proves every wrong answer loses points) scores as autograding does."""
    exercise, what, _ = wrong_answers(week)[0]
    notebook = read_source(week)
    tests = [grade_id(notebook.cells[index]) for index in exercises(notebook)[exercise]]
    graded = graded_cells(graded_week(week), "wrong", week)
    earned = sum(cell_score(graded[cell])[0] for cell in tests)
    assert earned == judged(week)[("wrong", exercise, what)].earned


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_feedback_holds_no_hidden_test(week):
    assert_no_leak(graded_week(week), solved=("reference", "wrong"))
