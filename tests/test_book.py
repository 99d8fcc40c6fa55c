"""The book builds with warnings as errors, fails on a failing cell, and publishes no secret."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from pipeline import run
from pipeline.book import build
from pipeline.paths import BUILD, ROOT
from tests.conftest import WEEKS

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
    secrets = secret_lines()
    assert secrets
    for page in site.rglob("*.html"):
        text = re.sub(r"\s+", " ", _text(page))
        leaked = [line for line in secrets if line in text]
        assert leaked == [], f"{page.relative_to(site)} shows {leaked[:3]}"


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


def secret_lines() -> list[str]:
    """Distinctive lines inside solution and hidden-test blocks of every source."""
    lines, public = set(), set()
    for md in (ROOT / "source").rglob("*.md"):
        inside = False
        for raw in md.read_text().splitlines():
            line = raw.strip()
            if line.startswith(("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS")):
                inside = True
            elif line.startswith(("### END SOLUTION", "### END HIDDEN TESTS")):
                inside = False
            elif inside and len(line) >= 16 and not line.startswith("#"):
                lines.add(re.sub(r"\s+", " ", line))
            elif not inside:
                public.add(re.sub(r"\s+", " ", line))
    return sorted(lines - public)


def _text(page) -> str:
    text = re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8", errors="replace"))
    for entity, char in (("&quot;", '"'), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text
