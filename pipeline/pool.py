"""The local executor: long-lived grading worker processes on this machine, one per core.

Each worker loads nbgrader once and grades job after job with `pipeline.grading.grade`; every
submission still runs in a fresh sandbox kernel. The cores are shared among the kernels that run at
once: each kernel's math libraries get `cores / workers` threads. A job whose worker process died
(not its kernel: that is handled inside) gets one more try in a new pool.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from pipeline.grading import Job, Result, grade

IN_FLIGHT_PER_WORKER = 2  # jobs handed to the pool per worker at a time (a class's files stay on disk)
TRIES = 2


def grade_locally(jobs: Iterator[Job], workers: int) -> Iterator[Result]:
    """Grade `jobs` in `workers` processes, yielding each result as it comes."""
    threads = max(1, (os.cpu_count() or 1) // workers)
    jobs, again, tries = iter(jobs), deque(), Counter()
    while True:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                 initargs=(threads,)) as pool:
            running, broken = {}, False
            while True:
                while not broken and len(running) < IN_FLIGHT_PER_WORKER * workers:
                    job = again.popleft() if again else next(jobs, None)
                    if job is None:
                        break
                    running[pool.submit(_grade, job)] = job
                if not running:
                    return
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    job = running.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        broken = True
                        tries[job.student] += 1
                        if tries[job.student] < TRIES:
                            again.append(job)
                        else:
                            yield Result(job.student, False, "its grading stopped the grading worker twice")
                if broken and not running:
                    break


# What follows runs in the worker processes.

_threads = 1


def _start_worker(threads: int) -> None:
    """Load nbgrader once, before the first job."""
    import nbgrader.apps  # noqa: F401

    global _threads
    _threads = threads


def _grade(job: Job) -> Result:
    return grade(job, _threads)
