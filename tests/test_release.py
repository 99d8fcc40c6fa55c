"""release/ is exactly what nbgrader generates from source/, and holds nothing secret.

That the solved release passes nbgrader's Validate and the untouched one earns nothing is checked
where students meet it: test_browser.py (the Validate button) and test_autograde.py (grading)."""

from __future__ import annotations

import pytest

from pipeline.notebooks import HIDDEN_TESTS, SOLUTION
from pipeline.paths import RELEASE, SOURCE, release_notebook
from tests.conftest import WEEKS, by_week
from tests.test_autograde import graded_week


def files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_committed_release_matches_a_fresh_one(week):
    fresh, committed = files(graded_week(week) / "release" / week), files(RELEASE / week)
    assert sorted(fresh) == sorted(committed), "run `python course.py release` and commit release/"
    stale = [str(name) for name in fresh if fresh[name] != committed[name]]
    assert stale == [], "release/ is out of date: run `python course.py release` and commit it"


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_release_has_no_source_markdown_and_no_secret_markers(week):
    assert not list((RELEASE / week).rglob("*.md"))
    text = release_notebook(week).read_text(encoding="utf-8")
    for marker in (*SOLUTION, *HIDDEN_TESTS):
        assert marker not in text


def test_every_week_is_released():
    assert sorted(p.name for p in RELEASE.iterdir() if p.is_dir()) == WEEKS
    assert all((SOURCE / week / f"{week}.md").exists() for week in WEEKS)
