"""Shared by the tests: the weeks, and their tests grouped so one pytest-xdist worker runs a week."""

from __future__ import annotations

import pytest

from pipeline.paths import weeks

WEEKS = weeks()


def by_week(values):
    """Parameters grouped per week, so one pytest-xdist worker runs a week's tests together."""
    params = []
    for value in values:
        value = value if isinstance(value, tuple) else (value,)
        params.append(pytest.param(*value, id="-".join(map(str, value)),
                                   marks=pytest.mark.xdist_group(value[0])))
    return params
