"""helpers.checks: pass on right answers, explain wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import check, check_choice, check_that, check_type


def message(call) -> str:
    with pytest.raises(AssertionError) as error:
        call()
    return str(error.value)


def test_check_passes_on_equal_values():
    check([(0, 0), (1, 2)], [(0, 0), (1, 2)], "pairs")
    check(0.1 + 0.2, 0.3, "floats compare with a tolerance")
    check(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), "arrays", tol=1e-6)
    check(np.float64(2.5), 2.5, "NumPy scalars count as numbers")


def test_check_message_says_what_expected_got_and_hint():
    text = message(lambda: check(3, 4, "double(2)", hint="multiply by two"))
    assert text.splitlines() == ["double(2)", "  expected: 4", "  got:      3", "  hint: multiply by two"]


@pytest.mark.parametrize("actual, expected", [
    ((0, 0), [0, 0]),          # a tuple is not a list
    (True, 1),                 # a bool is not a number
    (np.array([1, 2]), np.array([1, 2, 3])),
    ("2", 2),
    (2.1, 2.0),
])
def test_check_fails_on_near_misses(actual, expected):
    message(lambda: check(actual, expected, "value"))


def test_tolerance_is_used_only_when_given():
    check(2.0001, 2.0, "close", tol=1e-3)
    message(lambda: check(2.0001, 2.0, "not close enough"))


def test_check_that_and_check_type():
    check_that(True, "fine")
    assert message(lambda: check_that(False, "w should move", hint="step against the slope")) == (
        "w should move\n  hint: step against the slope")
    assert "should be a list" in message(lambda: check_type((1,), list, "create_dataset(1)"))


def test_check_choice_accepts_one_letter():
    check_choice("b", "ABC", "the plot question")
    for bad in (None, "AB", 1, "E"):
        assert "one letter of A, B, C" in message(lambda bad=bad: check_choice(bad, "ABC", "q"))
