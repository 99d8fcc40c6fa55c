"""Grading one submission: what every grading worker runs, in the local pool and on Dask alike.

A `Job` carries all a worker needs, so no disk is shared with the head: the submission's files,
the week's released files and the week as the head's gradebook holds it (never its solutions).
The worker puts them in a throwaway course with its own SQLite gradebook (made once per week and
worker process), grades the submission there with nbgrader's own `Autograde` in the sandbox
kernel, and returns the autograded folder and the scores nbgrader gave. Only the head records them
(`pipeline.recorder`).
"""

from __future__ import annotations

import atexit
import ctypes
import hashlib
import os
import shutil
import tempfile
import threading
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pipeline import gradebook, run
from pipeline.config import GRADEBOOK_NOISE
from pipeline.course import Course, Settings
from pipeline.sandbox import MEMORY_VARIABLE

THREAD_VARIABLES = ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"]
NOT_FOR_KERNELS = ["MALLOC_TRIM_THRESHOLD_"]  # set by Dask's nanny for its workers, not the kernels


@dataclass
class Job:
    week: str
    student: str
    submission: dict[str, bytes]  # submitted/<student>/<week>/, relative paths
    week_files: dict[str, bytes]  # what is released beside the notebook: Autograde copies it too
    week_rows: dict[str, list[dict]]  # the week in the head's gradebook, table by table
    schema: str  # the alembic version of the head's gradebook, for the worker's throwaway one
    settings: Settings = field(default_factory=Settings)


@dataclass
class Result:
    student: str
    ok: bool
    detail: str = ""
    files: dict[str, bytes] = field(default_factory=dict)  # autograded/<student>/<week>/
    scores: dict[str, float | None] = field(default_factory=dict)  # {notebook/cell: auto score}


def files_of(folder: Path) -> dict[str, bytes]:
    """{relative path: bytes} of the files under `folder`, hidden ones and checkpoints left out."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                          for part in path.relative_to(folder).parts)}


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def grade(job: Job, kernel_threads: int = 1) -> Result:
    """Grade one submission in a throwaway course; its kernel's math libraries get `kernel_threads`."""
    _prepare_process()
    os.environ.update({name: str(kernel_threads) for name in THREAD_VARIABLES})
    os.environ[MEMORY_VARIABLE] = str(job.settings.memory_gb)
    root = Path(tempfile.mkdtemp(dir=scratch(), prefix="course-"))
    try:
        shutil.copytree(week_course(job), root, dirs_exist_ok=True)
        write_files(root / "submitted" / job.student / job.week, job.submission)
        return _graded(job, Course(root))
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _graded(job: Job, course: Course) -> Result:
    result = within_wall_limit(job.settings.wall_limit, course.nbgrader(job.settings).autograde,
                               job.week, job.student, force=True, create=True)
    if result is None:
        return Result(job.student, False, f"stopped after {job.settings.wall_limit} s")
    log = result.get("log", "") + result.get("error", "")
    if not result["success"] or "error processing assignment" in log:
        return Result(job.student, False, errors(log))
    return Result(job.student, True, files=files_of(course.autograded / job.student / job.week),
                  scores=gradebook.scores(course.gradebook_url, job.week, job.student))


def errors(log: str) -> str:
    """nbgrader's error lines from its log (the last line when it logged none)."""
    lines = [line for line in log.splitlines() if "ERROR" in line] or log.strip().splitlines()[-1:]
    return "\n".join(lines)[-2000:]


class TooLong(Exception):
    pass


def within_wall_limit(seconds: float, function, *args, **kwargs):
    """`function(*args, **kwargs)`, or None once it ran `seconds`. The exception is raised in the
    calling thread itself: a Dask task runs outside the main thread, where SIGALRM never comes."""
    thread = threading.get_ident()
    timer = threading.Timer(seconds, ctypes.pythonapi.PyThreadState_SetAsyncExc,
                            (ctypes.c_ulong(thread), ctypes.py_object(TooLong)))
    timer.start()
    try:
        return function(*args, **kwargs)
    except TooLong:
        return None
    finally:
        timer.cancel()


@cache
def _prepare_process() -> None:
    """Once per worker process: this environment's programs first on PATH, no gradebook noise."""
    warnings.filterwarnings("ignore", message=GRADEBOOK_NOISE)
    os.environ.update(run.environment())
    for name in NOT_FOR_KERNELS:
        os.environ.pop(name, None)


_preparing = threading.Lock()
_prepared: dict[str, Path] = {}


def week_course(job: Job) -> Path:
    """A throwaway course holding only the job's week, in its own gradebook: made once per worker
    process and version of the week, then copied for each submission."""
    digest = hashlib.sha256(repr((sorted(job.week_files.items()), job.week_rows, job.schema)).encode())
    key = f"{job.week}-{digest.hexdigest()[:16]}"
    with _preparing:
        if key not in _prepared:
            _prepared[key] = _week_course(job, scratch() / f"week-{key}")
    return _prepared[key]


def _week_course(job: Job, root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    (root / "source" / job.week).mkdir(parents=True)
    write_files(root / "source" / job.week, job.week_files)
    gradebook.new_gradebook(Course(root).gradebook_url, job.schema, job.week_rows)
    return root


@cache
def scratch() -> Path:
    """This worker process's folder in /tmp; those of dead processes (killed workers) are removed."""
    parent = Path(tempfile.gettempdir()) / "course-grading"
    parent.mkdir(exist_ok=True)
    for folder in parent.iterdir():
        if folder.name.isdigit() and not _alive(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)
    folder = parent / str(os.getpid())
    folder.mkdir(exist_ok=True)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
