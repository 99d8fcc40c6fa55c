"""The kernel that runs students' code during autograding (kernel name `course-sandbox`).

Jupyter starts it as ``python -m pipeline.sandbox {connection_file}`` in the folder of the
notebook being graded. Before the ordinary IPython kernel starts, it

1. copies that folder to a fresh, throwaway working directory (nothing written survives);
2. when running as root and `unshare` works: enters a private mount namespace in which the
   course's secrets (sources with hidden tests, other submissions, gradebook, git history) are
   covered by empty folders, and drops to the unprivileged user `nobody`;
3. limits CPU seconds, memory, file size and the number of processes.

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
from pathlib import Path

from pipeline.paths import ROOT

HIDDEN = ["source", "submitted", "autograded", "feedback", "tests", "reader", "_build", ".git"]
HIDDEN_FILES = ["gradebook.db"]
LIMITS = {
    resource.RLIMIT_CPU: 1800,  # CPU seconds for the whole notebook
    resource.RLIMIT_AS: 12 << 30,  # torch reserves much address space; this stops runaways
    resource.RLIMIT_FSIZE: 200 << 20,
    resource.RLIMIT_NPROC: 512,
}
INSIDE = "--inside-namespace"


def main(argv: list[str]) -> None:
    if argv[:1] == [INSIDE]:
        return start_isolated(Path(argv[1]), Path(argv[2]))
    connection = Path(argv[0])
    workdir = Path.cwd()
    if os.geteuid() == 0 and shutil.which("unshare") and _namespaces_work():
        os.execvp("unshare", ["unshare", "--mount", "--propagation", "private", "--",
                              sys.executable, "-m", "pipeline.sandbox", INSIDE, str(connection),
                              str(workdir)])
    start_kernel(copy_workdir(workdir, connection, Path(tempfile.mkdtemp(prefix="sandbox-"))))


def _namespaces_work() -> bool:
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True)
    return probe.returncode == 0


def course_root(workdir: Path) -> Path:
    """The course being graded: the nearest folder above the notebook with an nbgrader config."""
    for folder in workdir.parents:
        if (folder / "nbgrader_config.py").is_file():
            return folder
    return ROOT


def start_isolated(connection: Path, workdir: Path) -> None:
    root = course_root(workdir)
    work = Path(tempfile.mkdtemp(prefix="sandbox-"))
    _mount("tmpfs", str(work), "-t", "tmpfs", "-o", "mode=0700,size=2g")  # seen by this kernel only
    copy_workdir(workdir, connection, work)
    for course in {root, ROOT}:
        for name in HIDDEN:
            if (course / name).is_dir():
                _mount("tmpfs", str(course / name), "-t", "tmpfs", "-o", "size=1m,mode=0555")
        for name in HIDDEN_FILES:
            if (course / name).is_file():
                _mount("/dev/null", str(course / name), "--bind")
    _expose_interpreter()
    nobody = pwd.getpwnam("nobody")
    for path in [work, *work.rglob("*")]:
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
    os.setgroups([])
    os.setgid(nobody.pw_gid)
    os.setuid(nobody.pw_uid)
    start_kernel(work)


def _expose_interpreter() -> None:
    """Let `nobody` reach Python when it lives in a closed folder (e.g. root's pyenv in /root).

    The closed folder is covered by an open, empty one that shows only the path to Python.
    """
    real = Path(sys.base_prefix).resolve()
    for closed in reversed(real.parents):
        if closed == Path("/") or closed.stat().st_mode & 0o001:
            continue
        inner = real.parts[len(closed.parts)]
        stash = Path(tempfile.mkdtemp(prefix="sandbox-stash-"))
        _mount(str(closed / inner), str(stash), "--bind")
        _mount("tmpfs", str(closed), "-t", "tmpfs", "-o", "size=1m,mode=0755")
        (closed / inner).mkdir()
        _mount(str(stash), str(closed / inner), "--move")
        return _expose_interpreter()


def _mount(what: str, where: str, *options: str) -> None:
    subprocess.run(["mount", *options, what, where], check=True)


def copy_workdir(workdir: Path, connection: Path, work: Path) -> Path:
    shutil.copytree(workdir, work, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copyfile(connection, work / ".kernel.json")
    return work


def start_kernel(work: Path) -> None:
    for limit, value in LIMITS.items():
        soft, hard = resource.getrlimit(limit)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(limit, (value, value))
    os.chdir(work)
    os.environ.update(HOME=str(work), MPLCONFIGDIR=str(work / ".matplotlib"), MPLBACKEND="agg")
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f", str(work / ".kernel.json")])


def install_kernelspec() -> Path:
    """Write the `course-sandbox` kernelspec into this environment's Jupyter data folder."""
    import json

    folder = Path(sys.prefix) / "share" / "jupyter" / "kernels" / "course-sandbox"
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "pipeline.sandbox", "{connection_file}"],
        "display_name": "Course sandbox (autograding)",
        "language": "python",
        "env": {"PYTHONPATH": str(ROOT)},
    }
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1) + "\n")
    return folder


if __name__ == "__main__":
    main(sys.argv[1:])
