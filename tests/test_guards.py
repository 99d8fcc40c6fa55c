"""helpers.guards.needs: one line while an exercise's starter code stands, everything else untouched."""

from __future__ import annotations

import pytest

from helpers.guards import STRICT_VARIABLE, needs


def unsolved():
    # YOUR CODE HERE
    raise NotImplementedError()


def test_unwritten_starter_code_is_named_in_one_line(capsys):
    with needs():
        unsolved()
    said = capsys.readouterr().out
    assert said == "Run this cell again after you write `unsolved` above: it uses your answer.\n"


def test_the_function_whose_starter_code_raised_is_named(capsys):
    def uses_unsolved():
        return unsolved()

    with needs():
        uses_unsolved()
    assert "write `unsolved` above" in capsys.readouterr().out


class Value:
    def __mul__(self, other):
        def _backward():
            raise NotImplementedError()

        return _backward()


def test_a_method_is_named_with_its_class(capsys):
    with needs():
        Value() * Value()
    assert "write `Value.__mul__._backward` above" in capsys.readouterr().out


def test_a_name_the_exercise_defines_may_be_missing(capsys):
    with needs("walks"):
        print(walks)  # noqa: F821 - not defined: its exercise is unsolved
    assert "write `walks` above" in capsys.readouterr().out


def test_other_errors_keep_their_traceback():
    with pytest.raises(NameError), needs("walks"):
        print(typo)  # noqa: F821
    with pytest.raises(ZeroDivisionError), needs():
        print(1 / 0)


def test_a_not_implemented_error_that_is_not_starter_code_is_a_bug():
    with pytest.raises(NotImplementedError), needs():
        raise NotImplementedError("a library feature that is missing")
    with pytest.raises(NotImplementedError), needs():
        {}.get(raise_it())


def raise_it():
    raise NotImplementedError


def test_where_everything_is_solved_a_guard_that_fires_fails(monkeypatch):
    monkeypatch.setenv(STRICT_VARIABLE, "1")
    with pytest.raises(NotImplementedError), needs():
        unsolved()
    with pytest.raises(NameError), needs("walks"):
        print(walks)  # noqa: F821


def test_a_solved_exercise_runs_as_without_the_guard(capsys):
    with needs():
        result = 2 * 21
    assert result == 42 and capsys.readouterr().out == ""
