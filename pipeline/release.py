"""Student notebooks: `source/weekNN/weekNN.md` → `release/weekNN/` via nbgrader."""

from __future__ import annotations

from pipeline import run
from pipeline.notebooks import write_source_notebook
from pipeline.paths import RELEASE


def release(week: str) -> None:
    """Generate `release/<week>/` from the source: solutions and hidden tests removed."""
    write_source_notebook(week)
    run.nbgrader("generate_assignment", week, "--force", "--quiet", quiet=True)
    for checkpoint in (RELEASE / week).rglob(".ipynb_checkpoints"):
        checkpoint.rmdir()
