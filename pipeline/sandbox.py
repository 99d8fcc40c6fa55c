"""The kernel that runs students' code during autograding (kernel name `course-sandbox`).

Jupyter starts it as ``python -m pipeline.sandbox {connection_file}`` in the folder of the
notebook being graded. Before the kernel (`pipeline.kernel`: IPython, and graded test cells run
apart from it) starts, it

1. copies that folder to a fresh, throwaway working directory (nothing written survives);
2. when running as root and `unshare` works: enters a private mount namespace in which the
   course's secrets (sources with hidden tests, other submissions, gradebook, git history) are
   covered by empty folders, and a network namespace with no interface (not even a working
   loopback: the grader then talks to it over Unix sockets, `pipeline.ipc`), and drops to the
   unprivileged user `nobody`;
3. limits CPU seconds, file size, the number of processes and memory: `COURSE_MEMORY_GB` (default
   4) caps the kernel's own allocations (`RLIMIT_DATA`: a too large allocation fails with a
   `MemoryError` in the cell) and, where this process may create a memory cgroup (v2 `memory.max`
   or v1 `memory.limit_in_bytes`), everything the kernel and its children hold.

On a machine where step 2 is impossible (an instructor's laptop without root) the other steps
still apply; run autograding as an ordinary user there.
"""

from __future__ import annotations

import os
import pwd
import resource
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

HIDDEN = ["source", "submitted", "autograded", "feedback", "tests", "reader", "_build", ".git"]
HIDDEN_FILES = ["gradebook.db"]
LIMITS = {
    resource.RLIMIT_CPU: 1800,  # CPU seconds for the whole notebook
    resource.RLIMIT_AS: 12 << 30,  # torch reserves much address space; this stops runaways
    resource.RLIMIT_FSIZE: 200 << 20,
    resource.RLIMIT_NPROC: 512,
}
INSIDE = "--inside-namespace"
NAMESPACES = ["--mount", "--net"]
SOCKETS = Path(tempfile.gettempdir()) / "course-kernel-sockets"
MEMORY_VARIABLE = "COURSE_MEMORY_GB"
SANDBOX_KERNEL = "course-sandbox"  # the kernel name nbgrader asks for (spec: pipeline.ipc)
COURSE_VARIABLE = "COURSE_ROOT"  # the course being graded, set in the kernel's spec
CODE_ROOT = Path(__file__).resolve().parent.parent  # the course this code belongs to
DEFAULT_MEMORY_GB = 4.0


def memory_gb() -> float:
    return float(os.environ.get(MEMORY_VARIABLE) or DEFAULT_MEMORY_GB)


def main(argv: list[str]) -> None:
    if argv[:1] == [INSIDE]:
        return start_isolated(Path(argv[1]), Path(argv[2]))
    connection = Path(argv[0])
    workdir = Path.cwd()
    join_memory_cgroup(connection.stem, int(memory_gb() * (1 << 30)))
    workspace(connection.stem).mkdir(mode=0o711, exist_ok=True)  # nobody passes through to work/
    if isolates():
        os.execvp("unshare", ["unshare", *NAMESPACES, "--propagation", "private", "--",
                              sys.executable, "-m", "pipeline.sandbox", INSIDE, str(connection),
                              str(workdir)])
    start_kernel(copy_workdir(workdir, connection, workspace(connection.stem) / "work"))


def workspace(name: str) -> Path:
    """The folder of kernel `name` in /tmp: its working copy and mount points; `remove` deletes it."""
    return Path(tempfile.gettempdir()) / f"sandbox-{name}"


def remove(name: str) -> None:
    """What kernel `name` leaves behind once stopped: its memory cgroup and its folder in /tmp.

    Mounts live in the kernel's own namespace: seen from here, its mount points are empty folders.
    """
    remove_memory_cgroup(name)
    folder = workspace(name)
    shutil.rmtree(folder / "work", ignore_errors=True)
    for stash in folder.glob("stash-*"):
        _remove(stash)
    _remove(folder)


@cache
def isolates() -> bool:
    """Whether kernels get their own mount and network namespaces (needs root and `unshare`)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", *NAMESPACES, "true"], capture_output=True).returncode == 0


def course_root() -> Path:
    """The course being graded (its gradebook and sources are what the sandbox hides)."""
    return Path(os.environ.get(COURSE_VARIABLE) or CODE_ROOT)


def start_isolated(connection: Path, workdir: Path) -> None:
    python = interpreter()  # found now: once `nobody`, a link in a closed folder can't be followed
    work = workspace(connection.stem) / "work"
    work.mkdir(exist_ok=True)
    _mount("tmpfs", str(work), "-t", "tmpfs", "-o", "mode=0700,size=2g")  # seen by this kernel only
    copy_workdir(workdir, connection, work)
    # before hiding: what is moved to stay reachable keeps what is mounted in it
    expose(needed(), workspace(connection.stem))
    for course in {course_root(), CODE_ROOT}:
        for name in HIDDEN:
            if (course / name).is_dir():
                _mount("tmpfs", str(course / name), "-t", "tmpfs", "-o", "size=1m,mode=0555")
        for name in HIDDEN_FILES:
            if (course / name).is_file():
                _mount("/dev/null", str(course / name), "--bind")
    nobody = pwd.getpwnam("nobody")
    for path in [work, *work.rglob("*")]:
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    os.setgroups([])
    os.setgid(nobody.pw_gid)
    os.setuid(nobody.pw_uid)
    start_kernel(work, python)


def needed() -> list[Path]:
    """What the kernel must reach: Python, the course's environment (wherever a linked `.venv`
    leads), the code its notebooks import and the data; nothing else of the course."""
    import helpers
    import pipeline
    from helpers.data import data_dir

    code = [Path(package.__file__).resolve().parent for package in (helpers, pipeline)]
    paths = [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), *code, data_dir().resolve()]
    return [path for path in paths if path.exists()]


def expose(paths: list[Path], stash_in: Path | None = None) -> None:
    """Let `nobody` reach `paths` through folders it may not enter (e.g. a course under /root).

    The first such folder on the way is covered by an open, empty one that holds only the ways on
    to `paths` (moved there with what is mounted inside them); then the next, until none is left.
    """
    closed = [folder for path in paths for folder in reversed(path.parents)
              if folder != Path("/") and not folder.stat().st_mode & 0o001]
    if not closed:
        return
    folder = min(closed, key=lambda item: len(item.parts))
    stashes = {}
    for name in sorted({path.parts[len(folder.parts)] for path in paths if folder in path.parents}):
        stashes[name] = Path(tempfile.mkdtemp(prefix="stash-", dir=stash_in))
        _mount(str(folder / name), str(stashes[name]), "--rbind")
    _mount("tmpfs", str(folder), "-t", "tmpfs", "-o", "size=1m,mode=0755")
    for name, stash in stashes.items():
        (folder / name).mkdir()
        _mount(str(stash), str(folder / name), "--move")
    expose(paths, stash_in)


def _mount(what: str, where: str, *options: str) -> None:
    subprocess.run(["mount", *options, what, where], check=True)


def copy_workdir(workdir: Path, connection: Path, work: Path) -> Path:
    shutil.copytree(workdir, work, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copyfile(connection, work / ".kernel.json")
    return work


def memory_cgroups() -> list[tuple[Path, str, str]]:
    """(folder, limit file, events file) of this process's memory cgroups: v2 first, then v1."""
    found = []
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        number, controllers, path = line.split(":", 2)
        if number == "0" and not controllers:
            for mount in (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/unified")):
                folder = mount / path.lstrip("/")
                if "memory" in _read(folder / "cgroup.subtree_control").split():
                    found.insert(0, (folder, "memory.max", "memory.events"))
        elif "memory" in controllers.split(","):
            found.append((Path("/sys/fs/cgroup/memory") / path.lstrip("/"), "memory.limit_in_bytes",
                          "memory.oom_control"))
    return found


def _read(file: Path) -> str:
    try:
        return file.read_text()
    except OSError:
        return ""


def join_memory_cgroup(name: str, limit: int) -> Path | None:
    """Put this process (and so the kernel it becomes) in a new memory cgroup `sandbox-<name>`."""
    for parent, limit_file, _ in memory_cgroups():
        folder = parent / f"sandbox-{name}"
        try:
            folder.mkdir(exist_ok=True)
            (folder / limit_file).write_text(str(limit))
            (folder / "cgroup.procs").write_text(str(os.getpid()))
            return folder
        except OSError:
            _remove(folder)
    return None


def memory_cgroup_oom_kills(name: str) -> int:
    """How often the memory cgroup of kernel `name` killed a process for using too much memory."""
    for parent, _, events in memory_cgroups():
        for line in _read(parent / f"sandbox-{name}" / events).splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
    return 0


def remove_memory_cgroup(name: str) -> None:
    for parent, _, _ in memory_cgroups():
        _remove(parent / f"sandbox-{name}")


def _remove(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def start_kernel(work: Path, python: Path | None = None) -> None:
    memory = int(memory_gb() * (1 << 30))
    for limit, value in {**LIMITS, resource.RLIMIT_DATA: memory}.items():
        soft, hard = resource.getrlimit(limit)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(limit, (value, value))
    os.chdir(work)
    os.environ.update(HOME=str(work), MPLCONFIGDIR=str(work / ".matplotlib"), MPLBACKEND="agg")
    python = str(python or interpreter())
    os.execv(python, [python, "-m", "pipeline.kernel", "-f", str(work / ".kernel.json")])


def interpreter() -> Path:
    """This environment's Python by a path `nobody` can follow: a `.venv` may be a link to an
    environment elsewhere, or sit in a folder only its owner may enter (`expose` opens the way
    to the resolved one). The link inside bin/ stays, so Python still finds its environment."""
    return Path(sys.prefix).resolve() / "bin" / Path(sys.executable).name


if __name__ == "__main__":
    main(sys.argv[1:])
