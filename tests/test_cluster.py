"""Grading on a Dask cluster (`pipeline/cluster.py`), in throwaway copies of the week90 fixture.

One local run of a small batch is the reference. One `--scheduler local:2` run grades the same
batch plus a sleeper, whose grading worker process the test kills mid-submission: every score
must equal the local one, and the sleeper must still be graded, once, with full marks.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

import pytest

from pipeline import run
from pipeline.copies import hand_in
from tests.test_autograde import GOOD, week90_course

pytestmark = pytest.mark.xdist_group("cluster")

BATCH = {
    "good": GOOD,
    "blank": {},
    "wrong": {**GOOD, "double": "def double(x):\n    return abs(2 * x)"},
    "killer": {**GOOD, "double": "import os\nos._exit(3)"},
}

# Says which process grades it (the kernel's parent), then gives the test time to kill that one.
SLEEPER = """import os, pathlib, time
pathlib.Path(%r, str(os.getpid())).write_text(str(os.getppid()))
time.sleep(2)
def double(x):
    return 2 * x"""


@cache  # a plain cached function, not a fixture: tests/test_postgres.py shares it
def batch_course() -> Path:
    """A released week90 course copy with the batch handed in, never graded: copy it to grade it."""
    root = week90_course(scratch("batch-"))
    for student, answers in BATCH.items():
        hand_in(root, student, "week90", answers)
    return root


def scratch(prefix: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder / "course"


def copy_of(course: Path, prefix: str) -> Path:
    return Path(shutil.copytree(course, scratch(prefix), symlinks=True))


def scores(root: Path, week: str = "week90") -> dict[str, dict[str, float]]:
    """{student: {graded cell: score}} as the copy's gradebook (SQLite or PostgreSQL) holds them."""
    from nbgrader.api import Gradebook

    from pipeline.config import gradebook_url
    from pipeline.grades import scores as table

    with Gradebook(gradebook_url(str(root))) as gradebook:
        return table(gradebook, week, root)[1]


@cache
def local_scores() -> dict[str, dict[str, float]]:
    """The local pool's scores of the batch: what every other way of grading must reproduce."""
    root = copy_of(batch_course(), "local-")
    result = run_course(root, "autograde", "week90", "--cell-timeout", "10")
    assert result.returncode == 0, result.stdout + result.stderr
    return scores(root)


def run_course(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=root, env=run.environment(**env),
                          capture_output=True, text=True, timeout=600)


def open_folder(prefix: str) -> Path:
    """A temporary folder that the sandbox's user `nobody` may enter (and write in: 1777)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o1777)
    return folder


@pytest.fixture(scope="session")
def cluster_run():
    """(course copy, finished `autograde --scheduler local:2`, pid of the worker process killed)."""
    watch, temporary = open_folder("sleeper-"), open_folder("cluster-tmp-")
    try:
        root = copy_of(batch_course(), "cluster-")
        hand_in(root, "sleeper", "week90", {**GOOD, "double": SLEEPER % str(watch)})
        command = [sys.executable, "-m", "pipeline", "autograde", "week90", "--scheduler", "local:2",
                   "--cell-timeout", "10"]
        with subprocess.Popen(command, cwd=root, env=run.environment(TMPDIR=str(temporary)), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) as grading:
            killed = kill_the_sleepers_grader(watch, grading)
            stdout, stderr = grading.communicate(timeout=600)
        yield root, subprocess.CompletedProcess(command, grading.returncode, stdout, stderr), killed
    finally:
        shutil.rmtree(watch, ignore_errors=True)
        shutil.rmtree(temporary, ignore_errors=True)


def kill_the_sleepers_grader(watch: Path, grading: subprocess.Popen, timeout: float = 300) -> int:
    """SIGKILL the worker process that grades the sleeper, the first time it runs; its pid."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and grading.poll() is None:
        for said in watch.iterdir():
            try:
                worker, kernel = int(said.read_text()), int(said.name)
            except ValueError:
                continue  # being written
            assert grading.pid in ancestors(worker), "the sleeper's kernel runs outside this run"
            os.kill(worker, signal.SIGKILL)
            os.kill(kernel, signal.SIGKILL)  # an orphan would only sleep on
            return worker
        time.sleep(0.1)
    raise AssertionError("the sleeper's kernel never said which worker grades it")


def ancestors(pid: int) -> list[int]:
    found = []
    while pid > 1:
        pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        found.append(pid)
    return found


def test_a_dask_cluster_grades_as_the_local_pool_does(cluster_run):
    root, result, _ = cluster_run
    assert result.returncode == 0, result.stdout + result.stderr
    cluster = scores(root)
    assert {student: cluster[student] for student in BATCH} == local_scores()
    assert local_scores()["killer"] == {"double_tests": 0, "square_tests": 3}
    for student in BATCH:
        assert (root / "autograded" / student / "week90" / "week90.ipynb").is_file()


def test_progress_is_one_line_per_submission_with_a_count(cluster_run):
    _, result, _ = cluster_run
    lines = [line for line in result.stdout.splitlines() if ": ok" in line or ": FAILED" in line]
    assert sorted(line.split(":")[0] for line in lines) == sorted([*BATCH, "sleeper"]), result.stdout
    assert lines[-1].endswith("[5/5]"), result.stdout


def test_a_worker_killed_mid_submission_loses_nothing(cluster_run):
    root, result, killed = cluster_run
    assert killed and not Path(f"/proc/{killed}").exists()
    assert "sleeper: ok" in result.stdout, result.stdout + result.stderr
    assert scores(root)["sleeper"] == {"double_tests": 2, "square_tests": 3}
    notebook = root / "autograded" / "sleeper" / "week90" / "week90.ipynb"
    assert "CellTimeoutError" not in notebook.read_text()


def test_a_worker_unlike_the_head_is_named_with_what_differs():
    from pipeline.cluster import differences, versions

    head = versions()
    worker = {**head, "torch": "2.0.0"}
    assert differences(head, worker) == f"torch 2.0.0 here, {head['torch']} on the head"
    assert differences(head, head) == ""


def test_a_submission_past_the_wall_limit_is_stopped_in_its_worker_thread(monkeypatch):
    """A Dask task runs outside the main thread, where SIGALRM (the local pool's limit) never comes."""
    from pipeline import cluster

    class Endless:
        def autograde(self, *args, **kwargs):
            while True:
                time.sleep(0.01)

    monkeypatch.setattr(cluster, "WALL_LIMIT", 0.2)
    assert cluster._within_wall_limit(Endless(), "week90", "looper") == {"success": False, "error": "TooLong"}
