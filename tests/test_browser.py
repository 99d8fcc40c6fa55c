"""A student in a real JupyterLab, driven in Chromium: the solved week runs with "Run All" and
nbgrader's Validate says success; an untouched release, run cell by cell, raises only in exercises.

Each week is run twice more here (Run All, then Validate runs it again), so the suite does it for
its quickest week, week 2; `.venv/bin/python -m tests.browser weekNN ...` checks any week the same
way. Screenshots are kept in _build/browser/. The book's pages are checked in a browser in test_book.py.
"""

from __future__ import annotations

import pytest

from tests.browser import check_week, chromium
from tests.support import COURSE, WEEKS

SHOTS = COURSE.build / "browser"

pytestmark = [
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(chromium() is None, reason="Chromium is not installed (.ci/run installs it)"),
]


@pytest.mark.parametrize("week", [week for week in WEEKS if week == "week02"] or WEEKS[:1])
def test_a_student_runs_the_week_in_jupyterlab(week, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    report = check_week(week, tmp_path, shots=SHOTS)
    assert report["solved_errors"] == [], "the solved notebook raised in JupyterLab"
    assert "Success" in report["validate"], report["validate"]
    assert report["lecture_errors"] == [], "lecture cells of the untouched release raised"
