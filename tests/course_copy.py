"""A throwaway copy of the course, so grading tests never touch the real gradebook or folders."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pipeline.copies import copy_course, course_in

make = copy_course


def course(root: Path, *args: str, timeout: int = 1800, **env: str) -> subprocess.CompletedProcess:
    """`python -m pipeline <args>` inside the copy; fails the test with its output on error."""
    result = course_in(root, *args, timeout=timeout, **env)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result
