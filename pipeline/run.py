"""Run the environment's own programs with its `bin/` first on PATH.

nbgrader starts `alembic` (and Jupyter starts kernels) by name from PATH: when the virtual
environment is not activated, calling `.venv/bin/python -m nbgrader` would fail without this.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def environment(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    env.update(extra)
    return env
