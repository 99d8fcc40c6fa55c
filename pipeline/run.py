"""Run the environment's own programs with its `bin/` first on PATH.

nbgrader starts `alembic` (and Jupyter starts kernels) by name from PATH: when the virtual
environment is not activated, calling `.venv/bin/python -m nbgrader` would fail without this.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipeline.paths import ROOT

BIN = Path(sys.executable).parent


def environment(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.update(extra)
    return env


def nbgrader(*args: str, check: bool = True, quiet: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "nbgrader", *args]
    output = subprocess.PIPE if quiet else None
    result = subprocess.run(command, cwd=ROOT, env=environment(), text=True,
                            stdout=output, stderr=subprocess.STDOUT if quiet else None)
    if check and result.returncode:
        raise SystemExit(f"nbgrader {' '.join(args)} failed (exit {result.returncode})"
                         + (f":\n{result.stdout}" if quiet else ""))
    return result
