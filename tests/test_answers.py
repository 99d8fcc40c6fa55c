"""Each exercise's tests catch realistic wrong answers (tests/wrong_answers/), accept correct answers
written another way (tests/right_answers/), and hold for the reference under SEEDS other seeds
wherever the exercise draws random numbers.

`tests/judge.py` runs each week once and forks at every exercise, so each answer is judged in the
state a fresh kernel would reach, at the cost of its own exercise's cells only.
"""

from __future__ import annotations

import pytest

from pipeline.notebooks import grade_id, is_solution, read_source
from tests.judge import RIGHT, SEED, WRONG
from tests.support import WEEKS, by_week, judged, right_answers, wrong_answers

WRONG_CASES = [(week, solution_id, what) for week in WEEKS for solution_id, what, _ in wrong_answers(week)]
RIGHT_CASES = [(week, solution_id, what) for week in WEEKS for solution_id, what, _ in right_answers(week)]


def solutions(week: str) -> set[str]:
    return {grade_id(cell) for cell in read_source(week).cells if is_solution(cell)}


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_every_exercise_has_a_wrong_and_a_right_answer(week):
    assert solutions(week) - {solution_id for solution_id, _, _ in wrong_answers(week)} == set(), \
        "exercises without a wrong answer in tests/wrong_answers/"
    assert solutions(week) - {solution_id for solution_id, _, _ in right_answers(week)} == set(), \
        "exercises without a right answer in tests/right_answers/"


@pytest.mark.parametrize("week, solution_id, what", by_week(WRONG_CASES))
def test_wrong_answer_loses_points(week, solution_id, what):
    verdict = judged(week)[(WRONG, solution_id, what)]
    assert verdict.possible > 0, f"no graded cell tests '{solution_id}': {verdict.errors}"
    assert verdict.caught, f"'{what}' still earns {verdict.earned}/{verdict.possible}"


@pytest.mark.parametrize("week, solution_id, what", by_week(RIGHT_CASES))
def test_right_answer_earns_every_point(week, solution_id, what):
    verdict = judged(week)[(RIGHT, solution_id, what)]
    assert verdict.as_expected, f"'{what}' earns {verdict.earned}/{verdict.possible}: {verdict.errors}"


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_the_reference_earns_every_point_under_other_seeds(week):
    lost = {key: verdict.errors for key, verdict in judged(week).items()
            if key[0] == SEED and not verdict.as_expected}
    assert lost == {}
