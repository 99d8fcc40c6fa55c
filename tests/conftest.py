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


# The longest groups, longest first (seconds on 2 cores: CONTRIBUTING). `course.py test` turns off
# pytest-xdist's own order (most tests first), which left the book, with few tests, to run alone at
# the end; handing out the longest first makes the two workers finish together.
LONGEST_FIRST = ["book", "week03", "week04", "week01", "week05"]


def pytest_collection_modifyitems(items):
    def rank(item):
        marker = item.get_closest_marker("xdist_group")
        group = marker.args[0] if marker and marker.args else None
        return LONGEST_FIRST.index(group) if group in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)
