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
UV = "uv==0.13.*"  # installs the rest (see install)
PIP_SOURCES = {"index-url": "--index-url", "extra-index-url": "--extra-index-url",
               "find-links": "--find-links", "constraint": "--constraint"}


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
        install("-r", str(ROOT / "requirements.txt"))
        install("--no-deps", "--editable", str(ROOT))
        STAMP.write_text(requirements_digest())


def install(*arguments: str) -> None:
    """`pip install` by uv (unpacks in parallel: 1 min instead of 3 for torch's 6 GB), else by pip.

    Kernels run as another user and cannot write bytecode into .venv: uv compiles it all now.
    """
    pip = [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    uv = BIN / "uv"
    if uv.exists() or subprocess.run(pip + [UV], capture_output=True).returncode == 0:
        options, env = uv_settings_from_pip()
        command = [str(uv), "pip", "install", "--quiet", "--python", str(PYTHON), "--compile-bytecode"]
        if subprocess.run(command + options + list(arguments), env=env).returncode == 0:
            return
        print("uv could not install them; pip tries instead ...", flush=True)
    subprocess.run(pip + list(arguments), check=True)


def uv_settings_from_pip() -> tuple[list[str], dict[str, str]]:
    """uv's options and environment for what pip is configured with (a local mirror, a cap on
    torch, a certificate), since uv reads no pip configuration. uv's default takes a package from
    the first index that has it; pip takes the best match among all of them, so that is asked for.
    """
    listed = subprocess.run([str(PYTHON), "-m", "pip", "config", "list"], capture_output=True, text=True)
    pairs, env = [], dict(os.environ)
    for line in listed.stdout.splitlines():
        key, _, value = line.partition("=")
        key, values = key.split(".", 1)[-1], value.strip("'\"").split()
        if key == "cert" and values:
            env.setdefault("SSL_CERT_FILE", values[0])
        pairs += [(PIP_SOURCES[key], item) for item in values if key in PIP_SOURCES]
    options = [part for pair in dict.fromkeys(pairs) for part in pair]
    if "--extra-index-url" in options or "--find-links" in options:
        options += ["--index-strategy", "unsafe-best-match"]
    return options, env


def main() -> None:
    ensure_environment()
    env = dict(os.environ, PATH=os.pathsep.join([str(BIN), os.environ.get("PATH", "")]))
    command = [str(PYTHON), "-m", "pipeline", *sys.argv[1:]]
    sys.exit(subprocess.run(command, cwd=ROOT, env=env).returncode)


if __name__ == "__main__":
    main()
