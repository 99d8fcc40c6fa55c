"""nbgrader's Execute, made to survive a submission that kills its kernel.

A cell that ends the kernel (`exit()`, a crash, the memory limit) fails with a plain reason, and the
notebook runs again from the top without it, so the exercises after it are still graded. Graded
cells that never ran get an error output: nbgrader would otherwise give an empty cell full marks.
"""

from __future__ import annotations

from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade
from traitlets import Integer

KILLED = ("This cell stopped the Python kernel (exit(), a crash or the memory limit), so it was "
          "skipped and the notebook was run again without it.")
NOT_RUN = "This cell did not run: an earlier cell kept stopping the Python kernel."


class ResilientExecute(Execute):
    max_restarts = Integer(3, help="How many kernel deaths to survive per notebook").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        skipped: list[int] = []
        for _ in range(self.max_restarts + 1):
            self._current = 0
            originals = {index: nb.cells[index].source for index in skipped}
            for index in skipped:
                nb.cells[index].source = f"raise RuntimeError({KILLED!r})"
            try:
                return super().preprocess(nb, resources, km)
            except DeadKernelError:
                skipped.append(self._current)
            finally:
                for index, source in originals.items():
                    nb.cells[index].source = source
        for cell in nb.cells[self._current:]:
            if cell.cell_type == "code" and is_grade(cell):
                cell.outputs = [_error(NOT_RUN)]
        return nb, resources

    def preprocess_cell(self, cell, resources, index):
        self._current = index
        return super().preprocess_cell(cell, resources, index)


def _error(message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename="RuntimeError", evalue=message,
                        traceback=[f"RuntimeError: {message}"])
