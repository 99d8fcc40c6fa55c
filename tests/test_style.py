"""The project's Python is ruff clean."""

import subprocess
import sys

from pipeline.paths import ROOT


def test_ruff_is_clean():
    command = [sys.executable, "-m", "ruff", "check", "."]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
