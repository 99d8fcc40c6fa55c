"""Each exercise's tests catch at least one realistic wrong answer (tests/wrong_answers/)."""

from __future__ import annotations

import pytest

from pipeline.notebooks import grade_id, is_solution, read_source
from pipeline.paths import SOURCE
from pipeline.score import execute, scores
from tests.conftest import WEEKS, by_week, exercises, with_answer, wrong_answers

CASES = [(week, solution_id, what) for week in WEEKS for solution_id, what, _ in wrong_answers(week)]


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_every_exercise_has_a_wrong_answer(week):
    solutions = {grade_id(cell) for cell in read_source(week).cells if is_solution(cell)}
    covered = {solution_id for solution_id, _, _ in wrong_answers(week)}
    assert solutions - covered == set(), "exercises without a wrong answer in tests/wrong_answers/"


@pytest.mark.parametrize("week, solution_id, what", by_week(CASES))
def test_wrong_answer_loses_points(week, solution_id, what):
    source = {s: code for s, w, code in wrong_answers(week) if (s, w) == (solution_id, what)}[solution_id]
    notebook = with_answer(week, solution_id, source)
    tests = exercises(notebook)[solution_id]
    assert tests, f"no graded cell tests '{solution_id}'"
    earned = scores(execute(notebook, SOURCE / week, upto=max(tests) + 1))
    graded = [grade_id(notebook.cells[index]) for index in tests]
    got = sum(earned[cell][0] for cell in graded)
    possible = sum(earned[cell][1] for cell in graded)
    assert got < possible, f"'{what}' still earns {got}/{possible} on {graded}"
