"""A throwaway copy of the course, so grading tests never touch the real gradebook or folders."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from pipeline import run
from pipeline.paths import ROOT

COPIED = ["nbgrader_config.py", "_config.yml", "pipeline", "source", "release"]


def make(target: Path, weeks: list[str] | None = None) -> Path:
    for name in COPIED:
        item = ROOT / name
        ignore = shutil.ignore_patterns("*.ipynb", "__pycache__") if name == "source" else None
        if item.is_dir():
            shutil.copytree(item, target / name, ignore=ignore)
        else:
            shutil.copy2(item, target / name)
    if weeks is not None:
        for folder in (target / "source").iterdir():
            if folder.name not in weeks:
                shutil.rmtree(folder)
    return target


def course(root: Path, *args: str, timeout: int = 1800) -> subprocess.CompletedProcess:
    """`python -m pipeline <args>` inside the copy; fails the test with its output on error."""
    result = subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=root, env=run.environment(),
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result
