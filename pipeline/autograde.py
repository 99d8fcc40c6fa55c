"""Grade every submission of a week: in parallel, each in its own sandboxed nbgrader run.

nbgrader grades one submission at a time; here each student gets their own `nbgrader autograde`
process (its kernel is the sandbox of `pipeline/sandbox.py`), `jobs` of them at once, with a
wall-clock limit. A submission that breaks its run is reported and the others go on.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import nbformat

from pipeline import run
from pipeline.paths import AUTOGRADED, ROOT, SUBMITTED
from pipeline.release import release
from pipeline.sandbox import MEMORY_VARIABLE, install_kernelspec

WALL_LIMIT = 30 * 60  # seconds for one submission, all cells together


@dataclass
class Outcome:
    student: str
    ok: bool
    detail: str = ""


def students(week: str) -> list[str]:
    if not SUBMITTED.is_dir():
        return []
    return sorted(folder.name for folder in SUBMITTED.iterdir() if (folder / week).is_dir())


def autograde(week: str, only: list[str] | None = None, jobs: int | None = None,
              cell_timeout: int | None = None, memory_gb: float | None = None,
              force: bool = False) -> list[Outcome]:
    """Grade the week's submissions that have no complete autograded notebook yet (all with `force`).

    nbgrader writes the autograded notebook last, so a run that was stopped midway is finished by
    running it again: what was graded stays, what was half done is graded anew.
    """
    who = only or students(week)
    done = [] if force else [student for student in who if graded(week, student)]
    who = [student for student in who if student not in done]
    install_kernelspec()
    if not knows(week):
        release(week)  # nbgrader grades against the source cells its gradebook holds
    for student in who:  # one writer at a time: sqlite allows no more
        run.nbgrader("db", "student", "add", student, quiet=True, check=False)
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 2) as pool:
        outcomes = list(pool.map(lambda student: grade_one(week, student, cell_timeout, memory_gb), who))
    return [Outcome(student, True, "already graded (--force grades it again)") for student in done] + outcomes


def graded(week: str, student: str) -> bool:
    """Whether `student`'s autograded notebook of `week` is there and whole."""
    try:
        nbformat.read(AUTOGRADED / student / week / f"{week}.ipynb", as_version=4)
    except (OSError, ValueError):
        return False
    return True


def knows(week: str) -> bool:
    """Whether the gradebook holds the week's source notebook (written by `release`)."""
    from nbgrader.api import Gradebook, MissingEntry

    from pipeline.config import gradebook_url

    with Gradebook(gradebook_url(str(ROOT))) as gradebook:
        try:
            return bool(gradebook.find_assignment(week).notebooks)
        except MissingEntry:
            return False


def grade_one(week: str, student: str, cell_timeout: int | None = None,
              memory_gb: float | None = None) -> Outcome:
    command = [sys.executable, "-m", "nbgrader", "autograde", week, "--student", student, "--force"]
    if cell_timeout:
        command.append(f"--Execute.timeout={cell_timeout}")
    for _ in range(3):  # a locked gradebook is the one failure worth a retry
        try:
            env = run.environment(**{MEMORY_VARIABLE: str(memory_gb)} if memory_gb else {})
            result = subprocess.run(command, cwd=ROOT, env=env, text=True,
                                    capture_output=True, timeout=WALL_LIMIT)
        except subprocess.TimeoutExpired:
            return Outcome(student, False, f"stopped after {WALL_LIMIT} s")
        log = result.stdout + result.stderr
        if "database is locked" not in log:
            break
    failed = result.returncode != 0 or "error processing assignment" in log
    return Outcome(student, not failed, _errors(log) if failed else "")


def _errors(log: str) -> str:
    return "\n".join(line for line in log.splitlines() if "ERROR" in line)[-2000:]
