"""Each exercise's tests catch at least one realistic wrong answer (tests/wrong_answers/).

`tests/judge.py` runs each week once and forks at every exercise, so each wrong answer is judged in
the state a fresh kernel would reach, at the cost of its own exercise's cells only.
"""

from __future__ import annotations

from functools import cache

import pytest

from pipeline.notebooks import grade_id, is_solution, read_source
from tests.conftest import WEEKS, by_week
from tests.judge import judge
from tests.support import wrong_answers

CASES = [(week, solution_id, what) for week in WEEKS for solution_id, what, _ in wrong_answers(week)]


@cache
def judged(week: str) -> dict[tuple[str, str], object]:
    report = judge(week)
    short = {cell: points for cell, points in report.reference.items() if points[0] != points[1]}
    assert short == {}, f"the reference of {week} does not earn full marks in the judge: {short}"
    return {(verdict.exercise, verdict.what): verdict for verdict in report.verdicts}


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_every_exercise_has_a_wrong_answer(week):
    solutions = {grade_id(cell) for cell in read_source(week).cells if is_solution(cell)}
    covered = {solution_id for solution_id, _, _ in wrong_answers(week)}
    assert solutions - covered == set(), "exercises without a wrong answer in tests/wrong_answers/"


@pytest.mark.parametrize("week, solution_id, what", by_week(CASES))
def test_wrong_answer_loses_points(week, solution_id, what):
    verdict = judged(week)[(solution_id, what)]
    assert verdict.possible > 0, f"no graded cell tests '{solution_id}': {verdict.errors}"
    assert verdict.caught, f"'{what}' still earns {verdict.earned}/{verdict.possible}"
