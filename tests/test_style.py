"""The project's Python is ruff clean, and its prose has no common misspelling."""

import subprocess
import sys

from pipeline.course import Course

ROOT = Course.here().root

PROSE = ["source", "book", "README.md", "CONTRIBUTING.md", "helpers", "pipeline", "tests"]


def test_ruff_is_clean():
    command = [sys.executable, "-m", "ruff", "check", "."]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_no_misspelling_in_the_course():
    """codespell's list of common misspellings; words it must accept are in pyproject.toml."""
    command = [sys.executable, "-m", "codespell_lib", *PROSE]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
