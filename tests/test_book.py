"""The book builds with warnings as errors, fails on a failing cell, and publishes no secret."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from pipeline import run
from pipeline.book import build
from pipeline.paths import BUILD, ROOT
from tests.conftest import WEEKS, secret_lines, shown_secrets

LEAK_CHECK = ROOT.parent / "shared" / "tools" / "leak_check.py"
pytestmark = pytest.mark.xdist_group("book")


@pytest.fixture(scope="module")
def site():
    assert build() == 0, "the book did not build (see the output above)"
    return BUILD / "html"


def test_every_week_has_a_page(site):
    toc = (ROOT / "_toc.yml").read_text()
    for week in WEEKS:
        assert f"reader/{week}/{week}" in toc, f"{week} is missing from _toc.yml"
        assert (site / "reader" / week / f"{week}.html").is_file()


def test_no_page_source_is_published(site):
    assert not (site / "_sources").exists()
    assert not list(site.rglob("*.md"))


def test_no_solution_or_hidden_test_in_the_site(site):
    secrets = secret_lines(ROOT / "source")
    assert secrets
    assert shown_secrets(site.rglob("*.html"), secrets) == {}


def test_the_shared_leak_check_passes(site):
    if not LEAK_CHECK.exists():
        pytest.skip("../shared/tools/leak_check.py is not beside this checkout")
    result = subprocess.run([sys.executable, str(LEAK_CHECK), str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_a_failing_cell_fails_the_build(tmp_path):
    for name in ("_config.yml", "book"):
        item = ROOT / name
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
