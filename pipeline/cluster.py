"""The Dask executor: `course.py autograde weekNN --scheduler tcp://HOST:8786` (or `local:N`).

Workers share no disk with the head: each task is a `pipeline.grading.Job` and runs the same
`grading.grade` as the local pool's workers; the head records every result (`pipeline.recorder`),
so a cluster of any size never has two writers.

- Faults. A worker that dies is Dask's to retry on another (the scheduler's
  `distributed.scheduler.allowed-failures` caps it; `local:N` sets it to ALLOWED_FAILURES); a
  submission that kills that many workers is given up with that reason. Each result is recorded
  as it arrives, so a run whose scheduler disappears keeps what was graded, and running the same
  command again grades the rest.
- Same grading everywhere. A worker whose Python, nbgrader, torch, ... or course code differs
  from the head's refuses the task and says which; the head checks every worker before grading.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import platform
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from pipeline.grading import Job, Result, grade

LOCAL = "local:"
ALLOWED_FAILURES = 2  # worker deaths one submission may cause before it is given up (local:N)
CONNECT_TIMEOUT = 30  # seconds to reach a remote scheduler
WAIT_FOR_WORKERS = 60  # seconds a remote scheduler gets to show a worker
IN_FLIGHT_PER_THREAD = 2  # submissions handed to the scheduler per worker thread at a time
LOCAL_CONFIG = {  # local:N; a remote cluster's own settings should say the same
    "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
    # Dask's own housekeeping competes with grading for the same cores here: its profiler samples
    # the grading thread, and its event-loop checks and system statistics wake up many times a
    # second by default.
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.deploy.cluster-repr-interval": "10s",
}
COMPARED = ["nbgrader", "nbclient", "nbformat", "ipykernel", "jupyter_client", "torch", "numpy",
            "dask", "distributed"]
CODE = ["pipeline", "helpers"]  # the course's code: the grading, and what the kernels import


# The head.

def grade_on_cluster(jobs: Iterator[Job], scheduler: str) -> Iterator[Result]:
    """Grade `jobs` on the cluster at `scheduler`, yielding each result as it comes. Losing the
    scheduler stops the run: what was yielded (and so recorded) stays, running again grades the rest."""
    from distributed import as_completed

    head, done = versions(), 0
    try:
        with connect(scheduler) as client:
            announce(client, scheduler)
            threads = check_workers(client, head)
            window, students = as_completed(), {}

            def submit(count: int) -> None:
                for job in islice(jobs, count):
                    key = f"grade-{job.week}-{job.student}-{uuid.uuid4().hex}"
                    future = client.submit(grade_remotely, job, head, threads, key=key, pure=False)
                    students[future.key] = job.student
                    window.add(future)

            submit(IN_FLIGHT_PER_THREAD * max(1, sum(client.nthreads().values())))
            for future in window:
                yield _result(future, students[future.key])
                done += 1
                submit(1)
    except _scheduler_lost() as error:
        raise SystemExit(f"the scheduler at {scheduler} went away ({type(error).__name__}): {done} "
                         "graded and kept; the same command again grades the rest") from None


def _result(future, student: str) -> Result:
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker:
        return Result(student, False, "given up: each worker that graded it died, and Dask stopped trying "
                                      "(distributed.scheduler.allowed-failures)")
    except _scheduler_lost():
        raise
    except Exception as error:  # raised on the worker, outside nbgrader
        return Result(student, False, f"on the worker: {type(error).__name__}: {error}")


def _scheduler_lost() -> tuple[type[BaseException], ...]:
    from distributed.client import FutureCancelledError
    from distributed.comm import CommClosedError
    from distributed.utils import CancelledError

    return FutureCancelledError, CommClosedError, CancelledError


@contextmanager
def connect(scheduler: str):
    """A client of the running cluster at `scheduler`, or of N local worker processes (`local:N`)."""
    import dask
    from distributed import Client, LocalCluster

    logging.getLogger("distributed.client").setLevel(logging.CRITICAL)  # a lost scheduler: said once, below
    if not scheduler.startswith(LOCAL):
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except OSError as error:
            raise SystemExit(f"no Dask scheduler answers at {scheduler}: {error}") from None
        with client:
            yield client
        return
    workers = scheduler.removeprefix(LOCAL)
    if not workers.isdigit() or int(workers) < 1:
        raise SystemExit(f"--scheduler {scheduler}: local:N needs a number of worker processes, e.g. local:2")
    with dask.config.set(LOCAL_CONFIG):
        cluster = LocalCluster(n_workers=int(workers), processes=True, threads_per_worker=1, memory_limit=0,
                               dashboard_address=None, silence_logs=40)
    with cluster, Client(cluster) as client:
        yield client


def announce(client, scheduler: str) -> None:
    """On a real cluster, where to watch it; the local one runs without a dashboard."""
    if scheduler.startswith(LOCAL):
        return
    services = client.scheduler_info().get("services", {})
    where = client.dashboard_link if "dashboard" in services else "none (the scheduler serves none)"
    print(f"Dask dashboard: {where}", flush=True)


def check_workers(client, head: dict[str, str]) -> dict[str, int]:
    """Stop before grading when a worker differs from the head; {worker: threads per kernel}."""
    try:
        client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
    except TimeoutError:
        raise SystemExit(f"no Dask worker joined the scheduler in {WAIT_FOR_WORKERS} s") from None
    try:
        facts = client.run(worker_facts)
    except _scheduler_lost():
        raise
    except Exception as error:  # e.g. ModuleNotFoundError: the course is not installed there
        raise SystemExit(f"a worker cannot load the course's code ({type(error).__name__}: {error}); "
                         "every worker needs this repository installed (same venv or image)") from None
    problems = [f"worker {address}: {differences(head, fact['versions'])}"
                for address, fact in facts.items() if differences(head, fact["versions"])]
    if problems:
        raise SystemExit("these workers cannot grade like the head (same venv or image needed):\n"
                         + "\n".join(problems))
    return kernel_threads(client.scheduler_info()["workers"], facts)


def kernel_threads(workers: dict, facts: dict) -> dict[str, int]:
    """A machine's cores shared among the kernels its workers run at once (as the local pool does)."""
    per_host = Counter()
    for info in workers.values():
        per_host[info["host"]] += info["nthreads"]
    return {address: max(1, fact["cpus"] // per_host[workers[address]["host"]])
            for address, fact in facts.items() if address in workers}


def versions() -> dict[str, str]:
    """What must match between head and workers for a submission to be graded the same."""
    found = {"python": platform.python_version(), "course code (pipeline/, helpers/)": code_digest()}
    for name in COMPARED:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "missing"
    return found


def code_digest() -> str:
    digest = hashlib.sha256()
    for package in CODE:
        folder = Path(importlib.util.find_spec(package).origin).parent
        for file in sorted(folder.rglob("*.py")):
            digest.update(str(file.relative_to(folder)).encode() + file.read_bytes())
    return digest.hexdigest()[:12]


def differences(head: dict[str, str], here: dict[str, str]) -> str:
    return "; ".join(f"{name} {here.get(name, 'missing')} here, {wanted} on the head"
                     for name, wanted in head.items() if here.get(name) != wanted)


# The workers.

def worker_facts() -> dict:
    return {"versions": versions(), "cpus": os.cpu_count() or 1}


def grade_remotely(job: Job, head: dict[str, str], threads: dict[str, int]) -> Result:
    """`grading.grade` on this worker, if it grades like the head."""
    from distributed import get_worker

    address = get_worker().address
    mismatch = differences(head, versions())
    if mismatch:
        return Result(job.student, False, f"worker {address} cannot grade like the head: {mismatch}")
    return grade(job, threads.get(address, 1))
