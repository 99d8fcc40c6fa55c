"""Grading on a Dask cluster (`pipeline/cluster.py`), in throwaway copies of the week90 fixture.

The local pool's run of a small batch is the reference (`tests.support.pool_scores`). One
`--scheduler local:2` run grades the same batch plus a sleeper, whose grading worker process the
test kills mid-submission: every score must equal the local one, and the sleeper must still be
graded, once, with full marks.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from pipeline import run
from pipeline.copies import hand_in
from pipeline.course import Course
from tests.support import BATCH, GOOD, batch_course, cell_scores, copy_of, pool_scores

pytestmark = pytest.mark.xdist_group("cluster")

# Says which process grades it (the kernel's parent), then gives the test time to kill that one.
SLEEPER = """import os, pathlib, time
pathlib.Path(%r, str(os.getpid())).write_text(str(os.getppid()))
time.sleep(2)
def double(x):
    return 2 * x"""


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
        course = copy_of(batch_course(), "cluster-")
        hand_in(course, "sleeper", "week90", {**GOOD, "double": SLEEPER % str(watch)})
        command = [sys.executable, "-m", "pipeline", "autograde", "week90", "--scheduler", "local:2",
                   "--cell-timeout", "10"]
        with subprocess.Popen(command, cwd=course.root, env=run.environment(TMPDIR=str(temporary)), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) as grading:
            killed = kill_the_sleepers_grader(watch, grading)
            stdout, stderr = grading.communicate(timeout=600)
        yield course, subprocess.CompletedProcess(command, grading.returncode, stdout, stderr), killed
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
    course, result, _ = cluster_run
    assert result.returncode == 0, result.stdout + result.stderr
    cluster = cell_scores(course)
    assert {student: cluster[student] for student in BATCH} == pool_scores()
    assert pool_scores()["killer"] == {"double_tests": 0, "square_tests": 3}
    for student in BATCH:
        assert (course.autograded / student / "week90" / "week90.ipynb").is_file()


def test_progress_is_one_line_per_submission_with_a_count(cluster_run):
    _, result, _ = cluster_run
    lines = [line for line in result.stdout.splitlines() if ": ok" in line or ": FAILED" in line]
    assert sorted(line.split(":")[0] for line in lines) == sorted([*BATCH, "sleeper"]), result.stdout
    assert lines[-1].endswith("[5/5]"), result.stdout


def test_a_worker_killed_mid_submission_loses_nothing(cluster_run):
    course, result, killed = cluster_run
    assert killed and not Path(f"/proc/{killed}").exists()
    assert "sleeper: ok" in result.stdout, result.stdout + result.stderr
    assert cell_scores(course)["sleeper"] == {"double_tests": 2, "square_tests": 3}
    notebook = course.autograded / "sleeper" / "week90" / "week90.ipynb"
    assert "CellTimeoutError" not in notebook.read_text()


def test_a_worker_unlike_the_head_is_named_with_what_differs():
    from pipeline.cluster import differences, versions

    head = versions()
    worker = {**head, "torch": "2.0.0"}
    assert differences(head, worker) == f"torch 2.0.0 here, {head['torch']} on the head"
    assert differences(head, head) == ""


def test_a_submission_past_the_wall_limit_is_stopped_in_its_worker_thread():
    """A Dask task runs outside the main thread, where SIGALRM (the local pool's limit) never comes."""
    from pipeline.grading import within_wall_limit

    def endless():
        while True:
            time.sleep(0.01)

    answer = []
    worker = threading.Thread(target=lambda: answer.append(within_wall_limit(0.2, endless)))
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive() and answer == [None]


def test_jobs_and_a_scheduler_are_not_taken_together():
    command = [sys.executable, "-m", "pipeline", "autograde", "week90", "--jobs", "2",
               "--scheduler", "local:2"]
    result = subprocess.run(command, cwd=Course.here().root, capture_output=True, text=True)
    assert result.returncode != 0 and "--jobs is for the local pool" in result.stderr
