"""The book builds with warnings as errors, fails on a failing cell, and publishes no secret."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from pipeline import run
from pipeline.book import build
from tests.browser import browser, chromium
from tests.support import COURSE, LEAK_CHECK, WEEKS, secret_lines, shown_secrets

pytestmark = pytest.mark.xdist_group("book")


@pytest.fixture(scope="session")  # built once per run: module scope is rebuilt under pytest-xdist
def site():
    assert build(COURSE) == 0, "the book did not build (see the output above)"
    return COURSE.build / "html"


def test_every_week_has_a_page(site):
    for week in WEEKS:
        assert (site / "reader" / week / f"{week}.html").is_file()


def test_no_page_source_is_published(site):
    assert not (site / "_sources").exists()
    assert not list(site.rglob("*.md"))


def test_no_hidden_test_in_the_site_and_no_solution_unless_published(site):
    kinds = ("hidden",) if COURSE.publish_solutions else ("solution", "hidden")
    secrets = secret_lines(COURSE.source, kinds=kinds)
    assert secrets
    assert shown_secrets(site.rglob("*.html"), secrets) == {}


def test_the_shared_leak_check_passes(site):
    if not LEAK_CHECK.exists():
        pytest.skip("../shared/tools/leak_check.py is not beside this checkout")
    if COURSE.publish_solutions:
        pytest.skip("publish_solutions is on: the site shows the solutions on purpose")
    result = subprocess.run([sys.executable, str(LEAK_CHECK), str(COURSE.root)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout


def test_a_failing_cell_fails_the_build(tmp_path):
    for name in ("_config.yml", "book"):
        item = COURSE.root / name
        shutil.copytree(item, tmp_path / name) if item.is_dir() else shutil.copy(item, tmp_path)
    (tmp_path / "release").mkdir()
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/index\nchapters:\n  - file: broken\n")
    (tmp_path / "broken.md").write_text(
        "---\nkernelspec: {display_name: Python 3, language: python, name: python3}\n"
        "jupytext: {text_representation: {format_name: myst}}\n---\n# Broken\n\n"
        "```{code-cell} ipython3\n1 / 0\n```\n")
    result = subprocess.run([str(run.BIN / "jupyter-book"), "build", str(tmp_path), "-W"],
                            env=run.environment(), capture_output=True, text=True)
    assert result.returncode != 0
    assert "ZeroDivisionError" in result.stdout + result.stderr


@pytest.mark.skipif(chromium() is None, reason="Chromium is not installed (.ci/run installs it)")
def test_each_week_page_shows_its_figures_math_and_download_link_offline(site):
    shots = COURSE.build / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    with browser() as page:
        page.route("http*://**", lambda route: route.abort())  # a reader without internet
        for week in WEEKS:
            page_file = site / "reader" / week / f"{week}.html"
            page.goto(page_file.as_uri())
            page.wait_for_load_state("load")
            if "class=\"math" in page_file.read_text():
                page.wait_for_selector("mjx-container", state="attached", timeout=30_000)
            page.screenshot(path=str(shots / f"{week}-page.png"))
            figures = page.eval_on_selector_all("article img", "images => images.filter("
                                                "image => image.complete && image.naturalWidth > 0).length")
            assert figures > 0, f"{week}: no figure drawn on its page"
            link = page.locator(f"a[download][href$='{week}.ipynb']").first.get_attribute("href")
            assert (page_file.parent / link).resolve().is_file(), f"{week}: the download link is broken"

