"""helpers.guards.needs: one line while an exercise is unsolved, everything else untouched."""

from __future__ import annotations

import pytest

from helpers.guards import needs


def unsolved():
    raise NotImplementedError()


def test_an_unsolved_exercise_is_named_in_one_line(capsys):
    with needs("unsolved"):
        unsolved()
    said = capsys.readouterr().out
    assert said == "Run this cell again after you solve `unsolved` above: it uses your answer.\n"


def test_the_unsolved_one_of_several_exercises_is_named(capsys):
    def uses_unsolved():
        return unsolved()

    with needs("uses_unsolved", "unsolved"):
        uses_unsolved()
    assert "solve `unsolved` above" in capsys.readouterr().out


class Value:
    def __mul__(self, other):
        def _backward():
            raise NotImplementedError()

        return _backward()


def test_a_method_is_named_by_the_exercise_that_holds_it(capsys):
    with needs("Value"):
        Value() * Value()
    assert "solve `Value` above" in capsys.readouterr().out
    with needs("MLP"):
        Value() * Value()
    assert "solve `Value` above" in capsys.readouterr().out


def test_a_name_the_exercise_defines_may_be_missing(capsys):
    with needs("simulate_walks", "walks"):
        print(walks)  # noqa: F821 - not defined: its exercise is unsolved
    assert "solve `walks` above" in capsys.readouterr().out


def test_other_errors_keep_their_traceback():
    with pytest.raises(NameError), needs("simulate_walks", "walks"):
        print(typo)  # noqa: F821
    with pytest.raises(ZeroDivisionError), needs("unsolved"):
        print(1 / 0)


def test_a_solved_exercise_runs_as_without_the_guard(capsys):
    with needs("double"):
        result = 2 * 21
    assert result == 42 and capsys.readouterr().out == ""
