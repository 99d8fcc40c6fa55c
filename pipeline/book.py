"""The book: reader editions of every week, then Jupyter Book 1 with warnings as errors.

Execution is cached (`_build/.jupyter_cache`), and a reader edition is rewritten only when its
source changed, so a rebuild with no change executes nothing. Publish `_build/html` only: the
execution cache and `_build/jupyter_execute` hold the solutions.
"""

from __future__ import annotations

import subprocess

from pipeline import run
from pipeline.paths import BUILD, ROOT
from pipeline.reader import write_all


def build(output: str | None = None) -> int:
    write_all()
    command = [str(run.BIN / "jupyter-book"), "build", str(ROOT), "--warningiserror",
               "--keep-going", "--path-output", output or str(BUILD.parent)]
    # helpers.widgets draws figures, not sliders; every exercise is solved, so no guard may fire
    env = run.environment(COURSE_STATIC_FIGURES="1", COURSE_GUARDS_STRICT="1")
    return subprocess.run(command, cwd=ROOT, env=env).returncode
