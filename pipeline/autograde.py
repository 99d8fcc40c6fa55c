"""Grade every submission of a week in long-lived grading workers, one per core.

nbgrader grades one submission at a time. Here each worker process loads nbgrader once and then
grades submission after submission with nbgrader's own `Autograde`; every submission still runs in
a fresh kernel (the sandbox of `pipeline/sandbox.py`), never one that another student used. The
kernels' math libraries get `cores / jobs` threads each, so parallel submissions do not fight
over the cores. A submission that breaks its grading is reported and the others go on.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import warnings
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import nbformat

from pipeline.config import GRADEBOOK_NOISE
from pipeline.paths import AUTOGRADED, ROOT, SUBMITTED
from pipeline.release import release
from pipeline.sandbox import MEMORY_VARIABLE

WALL_LIMIT = 30 * 60  # seconds for one submission, all cells together
THREAD_VARIABLES = ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"]


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
              force: bool = False, scheduler: str | None = None) -> Iterator[Outcome]:
    """Grade the week's submissions that have no complete autograded notebook yet (all with `force`),
    yielding each outcome as it is known: here, or on the Dask cluster at `scheduler`
    (`tcp://HOST:8786`, or `local:N` for N local worker processes; see `pipeline/cluster.py`).

    nbgrader writes the autograded notebook last, so a run that was stopped midway is finished by
    running it again: what was graded stays, what was half done is graded anew.
    """
    who = only or students(week)
    done = [] if force else [student for student in who if graded(week, student)]
    for student in done:
        yield Outcome(student, True, "already graded (--force grades it again)")
    who = [student for student in who if student not in done]
    if not who:
        return
    if not knows(week):
        release(week)  # nbgrader grades against the source cells its gradebook holds
    add_students(who)
    if scheduler:
        from pipeline.cluster import grade_on_cluster

        yield from grade_on_cluster(week, who, scheduler, cell_timeout, memory_gb)
        return
    jobs = min(jobs or os.cpu_count() or 2, len(who))
    yield from _grade_in_workers(week, who, jobs, cell_timeout, memory_gb)


def _grade_in_workers(week, who, jobs, cell_timeout, memory_gb) -> Iterator[Outcome]:
    """Each student once; those whose worker died (not their kernel: that is handled inside) get
    one more try in a new pool."""
    tries = Counter()
    pending = list(who)
    settings = (str(ROOT), cell_timeout, memory_gb, max(1, (os.cpu_count() or 1) // jobs))
    while pending:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                                 initargs=settings) as pool:
            futures = {pool.submit(_grade, week, student): student for student in pending}
            pending = []
            for future in as_completed(futures):
                student = futures[future]
                try:
                    yield future.result()
                except BrokenProcessPool:
                    tries[student] += 1
                    if tries[student] < 2:
                        pending.append(student)
                    else:
                        yield Outcome(student, False, "its grading stopped the grading worker twice")


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


def add_students(names: list[str]) -> None:
    """Into the gradebook from here, before grading: sqlite allows one writer at a time."""
    from nbgrader.api import Gradebook

    from pipeline.config import gradebook_url

    with Gradebook(gradebook_url(str(ROOT))) as gradebook:
        for name in names:
            gradebook.update_or_create_student(name)


# What follows runs in the grading workers.

_api = None


class TooLong(Exception):
    pass


def _start_worker(root: str, cell_timeout: int | None, memory_gb: float | None, threads: int) -> None:
    """Load nbgrader and the course's settings once; set what the kernels inherit."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    from pipeline import run
    from pipeline.config import apply

    global _api
    warnings.filterwarnings("ignore", message=GRADEBOOK_NOISE)
    os.chdir(root)
    os.environ.update(run.environment(**{name: str(threads) for name in THREAD_VARIABLES}))
    if memory_gb:
        os.environ[MEMORY_VARIABLE] = str(memory_gb)
    config = Config()
    apply(config, root)
    if cell_timeout:
        config.Execute.timeout = cell_timeout
    _api = NbGraderAPI(config=config)


def _grade(week: str, student: str) -> Outcome:
    signal.signal(signal.SIGALRM, _stop)
    signal.alarm(WALL_LIMIT)
    try:
        for _ in range(3):  # a locked gradebook is the one failure worth a retry
            result = _api.autograde(week, student, force=True, create=False)
            log = result.get("log", "") + result.get("error", "")
            if "database is locked" not in log:
                break
    finally:
        signal.alarm(0)
    if "TooLong" in result.get("error", ""):
        return Outcome(student, False, f"stopped after {WALL_LIMIT} s")
    failed = not result["success"] or "error processing assignment" in log
    return Outcome(student, not failed, _errors(log) if failed else "")


def _stop(signum, frame):
    raise TooLong()


def _errors(log: str) -> str:
    lines = [line for line in log.splitlines() if "ERROR" in line] or log.strip().splitlines()[-1:]
    return "\n".join(lines)[-2000:]
