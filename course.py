#!/usr/bin/env python3
"""The course's one entry point. Needs only Python 3.11 and pip; sets up the rest itself.

    python3 course.py build      # environment, DATA, student releases, the book
    python3 course.py test       # the whole test suite (sets up first if needed)
    python3 course.py --help     # every command (release, autograde, feedback, grades, bench, ...)

It creates `.venv/` from requirements.txt (again whenever that file changes) and then runs
`python -m pipeline` inside it with the environment's `bin/` first on PATH.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".requirements.sha256"


def requirements_digest() -> str:
    text = b"".join((ROOT / name).read_bytes() for name in ("requirements.txt", "pyproject.toml"))
    return hashlib.sha256(text).hexdigest()


def ensure_environment() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - may run on an older system Python
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    if not STAMP.exists() or STAMP.read_text() != requirements_digest():
        print("Installing the course's packages (the first time takes a few minutes) ...", flush=True)
        pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run(pip + ["-r", str(ROOT / "requirements.txt")], check=True)
        subprocess.run(pip + ["--no-deps", "--editable", str(ROOT)], check=True)
        STAMP.write_text(requirements_digest())


def main() -> None:
    ensure_environment()
    env = dict(os.environ, PATH=os.pathsep.join([str(BIN), os.environ.get("PATH", "")]))
    command = [str(PYTHON), "-m", "pipeline", *sys.argv[1:]]
    sys.exit(subprocess.run(command, cwd=ROOT, env=env).returncode)


if __name__ == "__main__":
    main()
