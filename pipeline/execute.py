"""nbgrader's Execute, made to survive a submission that kills its kernel or takes too much memory.

A cell that ends the kernel (`exit()`, a crash, the memory cgroup) fails with a plain reason, and
the notebook runs again from the top without it, so the exercises after it are still graded. A
cell whose allocation the sandbox refused says so in words. Graded cells that never ran get an
error output: nbgrader would otherwise give an empty cell full marks.
"""

from __future__ import annotations

from pathlib import Path

from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade
from traitlets import Integer

from pipeline import sandbox

KILLED = ("This cell stopped the Python kernel (exit() or a crash), so it was skipped and the notebook "
          "was run again without it.")
NOT_RUN = "This cell did not run: an earlier cell kept stopping the Python kernel."
OUT_OF_MEMORY = ("This cell used more than {gb:g} GiB of memory, the limit for one submission, and was "
                 "stopped.")
MEMORY_ERRORS = ("MemoryError", "can't allocate memory", "Cannot allocate memory")


class ResilientExecute(Execute):
    max_restarts = Integer(3, help="How many kernel deaths to survive per notebook").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        skipped: dict[int, str] = {}
        self._kernels: list[str] = []
        self._sockets: list[str] = []
        try:
            for _ in range(self.max_restarts + 1):
                self._current = 0
                originals = {index: nb.cells[index].source for index in skipped}
                for index, reason in skipped.items():
                    nb.cells[index].source = f"raise RuntimeError({reason!r})"
                try:
                    return super().preprocess(nb, resources, km)
                except DeadKernelError:
                    skipped[self._current] = self._death_reason()
                finally:
                    for index, source in originals.items():
                        nb.cells[index].source = source
            for cell in nb.cells[self._current:]:
                if cell.cell_type == "code" and is_grade(cell):
                    cell.outputs = [_error(NOT_RUN)]
            return nb, resources
        finally:
            for name in self._kernels:
                sandbox.remove(name)
            for prefix in self._sockets:  # a killed kernel leaves its Unix sockets behind
                for socket in Path(prefix).parent.glob(f"{Path(prefix).name}-*"):
                    socket.unlink(missing_ok=True)

    def preprocess_cell(self, cell, resources, index):
        self._current = index
        name = Path(self.km.connection_file).stem
        if name not in self._kernels:
            self._kernels.append(name)
            if self.km.transport == "ipc":
                self._sockets.append(self.km.ip)
        cell, resources = super().preprocess_cell(cell, resources, index)
        for output in cell.get("outputs", []):
            said = f"{output.get('ename')}: {output.get('evalue')}"
            if output.output_type == "error" and any(marker in said for marker in MEMORY_ERRORS):
                output.evalue = OUT_OF_MEMORY.format(gb=sandbox.memory_gb())
                output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources

    def _death_reason(self) -> str:
        if self._kernels and sandbox.memory_cgroup_oom_kills(self._kernels[-1]):
            return OUT_OF_MEMORY.format(gb=sandbox.memory_gb())
        return KILLED


def _error(message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename="RuntimeError", evalue=message,
                        traceback=[f"RuntimeError: {message}"])
