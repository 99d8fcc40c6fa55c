"""Grading on a Dask cluster: `course.py autograde weekNN --scheduler tcp://HOST:8786` (or `local:N`).

Why it is built this way:

- Workers share no disk with the head. Each task carries the submission's files, the week's other
  source files and the week as the head's gradebook holds it (its rows: cells, hidden tests,
  points, checksums; never the solutions). The worker puts them in a throwaway course with its own
  SQLite gradebook (once per week and worker process), grades the submission there with nbgrader's
  own `Autograde` in the same sandbox kernel as the local pool, and sends back the autograded folder.
- One writer. Only the head writes the real gradebook (SQLite or PostgreSQL) and `autograded/`,
  with nbgrader's own pieces (`Gradebook`, `SaveAutoGrades`, `AssignLatePenalties`) over the
  returned notebook, so a cluster of any size never has two writers and the scores are the ones
  nbgrader computes.
- Faults. A worker that dies is Dask's to retry on another (the scheduler's
  `distributed.scheduler.allowed-failures` caps it; `local:N` sets it to ALLOWED_FAILURES); a
  submission that kills that many workers is given up with that reason. Each result is written as
  it arrives, so a run whose scheduler disappears keeps what was graded, and running the same
  command again grades the rest.
- Same grading everywhere. A worker whose Python, nbgrader, torch, ... or course code differs
  from the head's refuses the task and says which.
"""

from __future__ import annotations

import atexit
import ctypes
import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import platform
import shutil
import tempfile
import threading
import uuid
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path

import nbformat

from pipeline.autograde import THREAD_VARIABLES, WALL_LIMIT, Outcome, _errors
from pipeline.config import GRADEBOOK_NOISE, apply, gradebook_url
from pipeline.paths import AUTOGRADED, ROOT, SOURCE, SUBMITTED
from pipeline.sandbox import MEMORY_VARIABLE

LOCAL = "local:"
ALLOWED_FAILURES = 2  # worker deaths one submission may cause before it is given up (local:N)
CONNECT_TIMEOUT = 30  # seconds to reach a remote scheduler
WAIT_FOR_WORKERS = 60  # seconds a remote scheduler gets to show a worker
IN_FLIGHT_PER_THREAD = 2  # submissions handed to the scheduler per worker thread at a time
LOCAL_CONFIG = {  # local:N; a remote cluster's own settings should say the same
    "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
    # Dask's own housekeeping competes with grading for the same cores here: sampling the grading
    # thread every 10 ms cost a fifth more CPU; event-loop checks every 20 ms and system stats
    # every 0.5 s, seconds more per run.
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.deploy.cluster-repr-interval": "10s",
}
NOT_FOR_KERNELS = ["MALLOC_TRIM_THRESHOLD_"]  # set by Dask's nanny for its workers, not the kernels
COMPARED = ["nbgrader", "nbclient", "nbformat", "ipykernel", "jupyter_client", "torch", "numpy",
            "dask", "distributed"]
CODE = ["pipeline", "helpers"]  # the course's code: the grading, and what the kernels import


@dataclass
class Task:
    """Everything a worker needs to grade one submission: no shared disk is assumed."""

    week: str
    student: str
    submission: dict[str, bytes]  # submitted/<student>/<week>/, relative paths
    week_files: dict[str, bytes]  # source/<week>/ but its notebook and .md: Autograde copies them
    week_rows: dict[str, list[dict]]  # the week in the head's gradebook, table by table
    versions: dict[str, str]  # the head's, compared on the worker
    schema: str  # the alembic version of the head's gradebook, for the worker's throwaway one
    cell_timeout: int | None = None
    memory_gb: float | None = None
    kernel_threads: dict[str, int] = field(default_factory=dict)  # per worker address


@dataclass
class Result:
    student: str
    ok: bool
    detail: str = ""
    files: dict[str, bytes] = field(default_factory=dict)  # autograded/<student>/<week>/
    scores: dict[str, float | None] = field(default_factory=dict)  # {notebook/cell: auto score} there


# The head.

def grade_on_cluster(week: str, who: list[str], scheduler: str, cell_timeout: int | None = None,
                     memory_gb: float | None = None) -> Iterator[Outcome]:
    """Grade `who` on the cluster at `scheduler`, yielding each outcome once the head recorded it.

    Losing the scheduler stops the run with what was recorded kept: running again grades the rest.
    """
    url, head = gradebook_url(str(ROOT)), versions()
    week_files, week_rows, schema = _week_files(week), week_in_gradebook(url, week), gradebook_schema(url)
    done = 0
    try:
        with connect(scheduler) as client:
            announce(client, scheduler)
            threads = check_workers(client, head)
            tasks = (Task(week, student, _files(SUBMITTED / student / week), week_files, week_rows, head,
                          schema, cell_timeout, memory_gb, threads) for student in who)
            for outcome in _graded_in_turn(client, tasks, Recorder(week)):
                done += 1
                yield Outcome(outcome.student, outcome.ok, f"[{done}/{len(who)}] {outcome.detail}".rstrip())
    except _scheduler_lost() as error:
        raise SystemExit(f"the scheduler at {scheduler} went away ({type(error).__name__}): {done} of "
                         f"{len(who)} graded and kept; the same command again grades the rest") from None


def _scheduler_lost() -> tuple[type[BaseException], ...]:
    from distributed.client import FutureCancelledError
    from distributed.comm import CommClosedError
    from distributed.utils import CancelledError

    return FutureCancelledError, CommClosedError, CancelledError


def _graded_in_turn(client, tasks: Iterator[Task], recorder: Recorder) -> Iterator[Outcome]:
    """A few tasks per worker thread at a time (the files of a whole class need not sit in the
    scheduler's memory), each recorded as it finishes."""
    from distributed import as_completed

    window, students = as_completed(), {}

    def submit(count: int) -> None:
        for task in islice(tasks, count):
            key = f"grade-{task.week}-{task.student}-{uuid.uuid4().hex}"
            future = client.submit(grade_remotely, task, key=key, pure=False)
            students[future.key] = task.student
            window.add(future)

    submit(IN_FLIGHT_PER_THREAD * max(1, sum(client.nthreads().values())))
    for future in window:
        yield _settle(future, students[future.key], recorder)
        submit(1)


def _settle(future, student: str, recorder: Recorder) -> Outcome:
    """The outcome of one finished task, recorded by the head when it graded."""
    from distributed import KilledWorker

    try:
        result = future.result()
    except KilledWorker:
        return Outcome(student, False, "given up: each worker that graded it died, and Dask stopped trying "
                                       "(distributed.scheduler.allowed-failures)")
    except _scheduler_lost():
        raise
    except Exception as error:  # raised on the worker, outside nbgrader
        return Outcome(student, False, f"on the worker: {type(error).__name__}: {error}")
    return recorder.record(result) if result.ok else Outcome(student, False, result.detail)


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


def _week_files(week: str) -> dict[str, bytes]:
    """The files nbgrader's Autograde copies from the week's source folder into each autograded one."""
    return {path: data for path, data in _files(SOURCE / week).items()
            if not path.endswith((".md", ".ipynb"))}


WEEK_TABLES = ["course", "assignment", "notebook", "base_cell", "source_cell", "grade_cells",
               "solution_cells", "task_cells"]  # in the order they refer to each other


def week_in_gradebook(db_url: str, week: str) -> dict[str, list[dict]]:
    """The rows that define `week` in a gradebook (what `release` stored): the worker grades against
    exactly these, as nbgrader here would, whatever the source says now."""
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            assignment = _rows(connection, "assignment", "name", [week])[0]
            found = {"assignment": [assignment],
                     "course": _rows(connection, "course", "id", [assignment["course_id"]]),
                     "notebook": _rows(connection, "notebook", "assignment_id", [assignment["id"]])}
            notebooks = [notebook["id"] for notebook in found["notebook"]]
            for table in ("base_cell", "source_cell"):
                found[table] = _rows(connection, table, "notebook_id", notebooks)
            cells = [cell["id"] for cell in found["base_cell"]]
            for table in ("grade_cells", "solution_cells", "task_cells"):
                found[table] = _rows(connection, table, "id", cells)
    finally:
        engine.dispose()
    return found


def _rows(connection, table: str, column: str, values: list) -> list[dict]:
    from nbgrader.api import Base
    from sqlalchemy import select

    chosen = Base.metadata.tables[table]
    query = select(chosen).where(chosen.c[column].in_(values)).order_by(*chosen.primary_key.columns)
    return [dict(row) for row in connection.execute(query).mappings()]


def gradebook_schema(db_url: str) -> str:
    """The alembic version nbgrader stamped on a gradebook."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()


def new_gradebook(db_url: str, schema: str, week_rows: dict[str, list[dict]]) -> None:
    """A gradebook as nbgrader makes one, stamped with `schema` (nbgrader itself would run `alembic
    heads` in a subprocess to learn it, which costs seconds on every worker), holding `week_rows`."""
    from nbgrader.api import Base
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        Base.metadata.create_all(bind=engine)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:schema)"),
                               {"schema": schema})
            for table in WEEK_TABLES:
                if week_rows[table]:
                    connection.execute(Base.metadata.tables[table].insert(), week_rows[table])
    finally:
        engine.dispose()


def _files(folder: Path) -> dict[str, bytes]:
    """{relative path: bytes} of the files under `folder`, hidden ones and checkpoints left out."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                          for part in path.relative_to(folder).parts)}


class Recorder:
    """The run's only writer, with nbgrader's own pieces in the order its Autograde uses them: the
    student and the submission (with its timestamp) into the gradebook, `SaveAutoGrades` and
    `AssignLatePenalties` over each returned notebook, zero for a notebook not handed in; then
    `autograded/<student>/<week>/`, its notebooks last (a whole notebook means a recorded grade).

    Running nbgrader's whole Autograde converter again here cost 1-2 s per submission (two
    exporter passes over a graded notebook): the head would limit a large cluster.
    """

    def __init__(self, week: str):
        from traitlets.config import Config

        warnings.filterwarnings("ignore", message=GRADEBOOK_NOISE)
        self.week, self.config = week, Config()
        apply(self.config, str(ROOT))

    def record(self, result: Result) -> Outcome:
        folder = AUTOGRADED / result.student / self.week
        notebooks = {name: data for name, data in result.files.items() if _is_notebook(name)}
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        _write(folder, {name: data for name, data in result.files.items() if name not in notebooks})
        try:
            self._submission(result.student, folder, notebooks)
            for name, data in notebooks.items():
                self._scores(result.student, Path(name).stem, data)
        except Exception as error:  # the gradebook refused: nothing of it counts as graded
            return Outcome(result.student, False, f"recording failed: {type(error).__name__}: {error}")
        here = recorded_scores(self.config.CourseDirectory.db_url, self.week, result.student)
        if here != result.scores:  # never seen: the worker's gradebook and this one disagree
            return Outcome(result.student, False, f"scores here {here}, on the worker {result.scores}")
        for name, data in notebooks.items():
            _write_whole(folder / name, data)
        return Outcome(result.student, True, result.detail)

    def _submission(self, student: str, folder: Path, notebooks: dict[str, bytes]) -> None:
        """The student and the submission, with the timestamp handed in; zero for a notebook that
        was not (as nbgrader's Autograde does)."""
        from nbgrader.api import Gradebook
        from nbgrader.coursedir import CourseDirectory

        course = CourseDirectory(config=self.config)
        timestamp = course.get_existing_timestamp(str(folder))
        with Gradebook(course.db_url, course.course_id) as gradebook:
            gradebook.update_or_create_student(student)
            when = {"timestamp": timestamp} if timestamp else {}
            gradebook.update_or_create_submission(self.week, student, **when)
            for notebook in gradebook.find_assignment(self.week).notebooks:
                if f"{notebook.name}.ipynb" not in notebooks:
                    for grade in gradebook.find_submission_notebook(notebook.name, self.week, student).grades:
                        grade.auto_score, grade.needs_manual_grade = 0, False
            gradebook.db.commit()

    def _scores(self, student: str, name: str, data: bytes) -> None:
        from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades

        resources = {"nbgrader": {"student": student, "assignment": self.week, "notebook": name,
                                  "db_url": self.config.CourseDirectory.db_url}}
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
        for step in (SaveAutoGrades(config=self.config), AssignLatePenalties(config=self.config)):
            notebook, resources = step.preprocess(notebook, resources)


def _is_notebook(name: str) -> bool:
    return name.endswith(".ipynb") and "/" not in name


def _write_whole(target: Path, data: bytes) -> None:
    """Written beside, then renamed: a notebook in autograded/ is never half there."""
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(data)
    partial.replace(target)


def _write(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


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


def grade_remotely(task: Task) -> Result:
    """Grade one submission in a throwaway course on this worker; return the autograded folder."""
    from distributed import get_worker

    mismatch = differences(task.versions, versions())
    if mismatch:
        where = get_worker().address
        return Result(task.student, False, f"worker {where} cannot grade like the head: {mismatch}")
    _prepare_process()
    threads = task.kernel_threads.get(get_worker().address, 1)
    os.environ.update({name: str(threads) for name in THREAD_VARIABLES})
    os.environ.pop(MEMORY_VARIABLE, None)
    if task.memory_gb:
        os.environ[MEMORY_VARIABLE] = str(task.memory_gb)
    template = week_course(task)
    root = Path(tempfile.mkdtemp(dir=scratch(), prefix="course-"))
    try:
        shutil.copytree(template, root, dirs_exist_ok=True)
        _write(root / "submitted" / task.student / task.week, task.submission)
        return _graded(task, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _graded(task: Task, root: Path) -> Result:
    result = _within_wall_limit(_api(root, task.cell_timeout), task.week, task.student)
    log = result.get("log", "") + result.get("error", "")
    if "TooLong" in log:
        return Result(task.student, False, f"stopped after {WALL_LIMIT} s")
    if not result["success"] or "error processing assignment" in log:
        return Result(task.student, False, _errors(log))
    return Result(task.student, True, files=_files(root / "autograded" / task.student / task.week),
                  scores=recorded_scores(f"sqlite:///{root}/gradebook.db", task.week, task.student))


def recorded_scores(db_url: str, week: str, student: str) -> dict[str, float | None]:
    """{notebook/cell: autograded score} of a submission as a gradebook holds it (a grader's manual
    score, kept by nbgrader, does not count: the worker's gradebook has none)."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gradebook:
        submission = gradebook.find_submission(week, student)
        return {f"{notebook.name}/{grade.name}": grade.auto_score for notebook in submission.notebooks
                for grade in notebook.grades}


class TooLong(Exception):
    pass


def _within_wall_limit(api, week: str, student: str) -> dict:
    """nbgrader's autograde, stopped after WALL_LIMIT s: SIGALRM only reaches a main thread, and a
    Dask task runs in another, so the exception is raised in the grading thread itself."""
    thread = threading.get_ident()
    timer = threading.Timer(WALL_LIMIT, ctypes.pythonapi.PyThreadState_SetAsyncExc,
                            (ctypes.c_ulong(thread), ctypes.py_object(TooLong)))
    timer.start()
    try:
        return api.autograde(week, student, force=True, create=True)
    except TooLong:
        return {"success": False, "error": "TooLong"}
    finally:
        timer.cancel()


@cache
def _prepare_process() -> None:
    """Once per worker process: this environment's programs first on PATH."""
    from pipeline import run

    warnings.filterwarnings("ignore", message=GRADEBOOK_NOISE)
    os.environ.update(run.environment())
    for name in NOT_FOR_KERNELS:
        os.environ.pop(name, None)


def _api(root: Path, cell_timeout: int | None):
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    config = Config()
    apply(config, str(root))  # no _config.yml in `root`: its own SQLite gradebook
    if cell_timeout:
        config.Execute.timeout = cell_timeout
    return NbGraderAPI(config=config)


_preparing = threading.Lock()
_prepared: dict[str, Path] = {}


def week_course(task: Task) -> Path:
    """A throwaway course holding only the task's week, in its own gradebook: made once per worker
    process and version of the week, then copied for each submission."""
    digest = hashlib.sha256(repr((sorted(task.week_files.items()), task.week_rows, task.schema)).encode())
    key = f"{task.week}-{digest.hexdigest()[:16]}"
    with _preparing:
        if key not in _prepared:
            _prepared[key] = _week_course(task, scratch() / f"week-{key}")
    return _prepared[key]


def _week_course(task: Task, root: Path) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    (root / "source" / task.week).mkdir(parents=True)
    _write(root / "source" / task.week, task.week_files)
    shutil.copy(ROOT / "nbgrader_config.py", root)  # marks the course root: the sandbox hides its secrets
    new_gradebook(f"sqlite:///{root}/gradebook.db", task.schema, task.week_rows)
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
