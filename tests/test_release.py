"""release/ is exactly what nbgrader generates from source/, and holds nothing secret.

That the solved release passes nbgrader's Validate and the untouched one earns nothing is checked
where students meet it: test_browser.py (the Validate button) and test_grading_weeks.py."""

from __future__ import annotations

import pytest

from pipeline.contents import listings
from pipeline.notebooks import HIDDEN_TESTS, SOLUTION
from tests.support import COURSE, WEEKS, by_week, graded_week


def files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_committed_release_matches_a_fresh_one(week):
    fresh, committed = files(graded_week(week).release / week), files(COURSE.release / week)
    assert sorted(fresh) == sorted(committed), "run `python3 course.py release` and commit release/"
    stale = [str(name) for name in fresh if fresh[name] != committed[name]]
    assert stale == [], "release/ is out of date: run `python3 course.py release` and commit it"


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_release_has_no_source_markdown_and_no_secret_markers(week):
    assert not list((COURSE.release / week).rglob("*.md"))
    text = COURSE.release_notebook(week).read_text(encoding="utf-8")
    for marker in (*SOLUTION, *HIDDEN_TESTS):
        assert marker not in text


def test_every_week_is_released():
    assert sorted(p.name for p in COURSE.release.iterdir() if p.is_dir()) == WEEKS


def test_every_week_is_listed_for_readers_from_its_own_heading():
    """The book's table of contents and landing page and the README list the weeks as they are."""
    stale = [str(file.relative_to(COURSE.root)) for file, text in listings(COURSE).items()
             if file.read_text(encoding="utf-8") != text]
    assert stale == [], "run `python3 course.py release` and commit what it rewrote"
