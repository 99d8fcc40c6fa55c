"""nbgrader's Execute for the sandbox: graded test cells run where the submission can't reach them,
and a submission that kills its kernel or takes too much memory still gets the rest graded.

- The student's cells run in IPython, as nbgrader runs them. Each graded test cell goes to the
  kernel's own socket instead (`pipeline.trusted`, `pipeline.kernel`): it runs as written, after
  the kernel put back whatever the notebook replaced, and its verdict comes back signed. Its output
  is that verdict only: passed, or the error (a check's message). A notebook caught changing how
  tests run gets 0 for that test and every later one, with a plain reason; the instructor's copy
  says what was found.
- A cell that ends the kernel (`exit()`, a crash, the memory cgroup) fails with a plain reason, and
  the notebook runs again from the top without it, so the exercises after it are still graded. A
  cell whose allocation the sandbox refused says so in words. Graded cells that never ran get an
  error output: nbgrader would otherwise give an empty cell full marks.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from nbgrader.utils import is_grade
from traitlets import Integer

from pipeline import sandbox
from pipeline.course import TIMED_OUT
from pipeline.notebooks import is_test
from pipeline.trusted import Untrusted

KILLED = ("This cell stopped the Python kernel (exit() or a crash), so it was skipped and the notebook "
          "was run again without it.")
NOT_RUN = "This cell did not run: an earlier cell kept stopping the Python kernel."
UNANSWERED = ("This cell ran for more than {seconds:g} s and the Python kernel stopped answering, so it was "
              "skipped and the notebook was run again without it.")
OUT_OF_MEMORY = ("This cell used more than {gb:g} GiB of memory, the limit for one submission, and was "
                 "stopped.")
MEMORY_ERRORS = ("MemoryError", "can't allocate memory", "Cannot allocate memory")
TAMPERED = "This notebook changes how cells run; graded cells were not trusted. See your instructor."
TAMPERING = "Tampering"  # the error name of a test cell that was not trusted (grades.py lists them)



def said_by_the_grader(message: str) -> bool:
    """Whether an error message is one of the grader's own (fit to show a student as it is)."""
    for template in (KILLED, NOT_RUN, OUT_OF_MEMORY, UNANSWERED, TAMPERED, TIMED_OUT):
        pattern = re.sub(r"\\\{\w+:g\\\}", "[0-9.e+-]+", re.escape(template))
        if re.fullmatch(pattern, message):
            return True
    return False


class ResilientExecute(Execute):
    max_restarts = Integer(3, help="How many kernel deaths to survive per notebook").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._skipped: dict[int, str] = {}
        self._kernels: list[str] = []
        self._sockets: list[str] = []
        self._tampered = ""
        self._managers = []
        self._modules = imported(cell.source for cell in nb.cells if is_test(cell))
        try:
            for _ in range(self.max_restarts + 1):
                self._current, self._dying = 0, ""
                try:
                    return super().preprocess(nb, resources, km)
                except DeadKernelError:
                    self._skipped[self._current] = self._dying or self._death_reason()
            for cell in nb.cells[self._current:]:
                if cell.cell_type == "code" and is_grade(cell):
                    cell.outputs = [_error(NOT_RUN)]
            return nb, resources
        finally:
            for manager in self._managers:
                if manager.trusted_tests is not None:
                    manager.trusted_tests.close()
            for name in self._kernels:
                sandbox.remove(name)
            for prefix in self._sockets:  # a killed kernel leaves its Unix sockets behind
                for socket in Path(prefix).parent.glob(f"{Path(prefix).name}-*"):
                    socket.unlink(missing_ok=True)

    def create_kernel_manager(self):
        manager = super().create_kernel_manager()
        manager.trusted_modules, manager.cell_timeout = self._modules, float(self.timeout)
        self._managers.append(manager)
        return manager

    def preprocess_cell(self, cell, resources, index):
        self._current = index
        name = Path(self.km.connection_file).stem
        if name not in self._kernels:
            self._kernels.append(name)
            if self.km.transport == "ipc":
                self._sockets.append(self.km.ip)
        if index in self._skipped:
            cell.outputs = [_error(self._skipped[index])] if cell.cell_type == "code" else cell.get("outputs")
            return cell, resources
        if is_test(cell) and self.km.trusted_tests is not None:
            cell.outputs = self._graded_test(cell)
            return cell, resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
        except CellTimeoutError:  # interrupted, the kernel did not answer either: it is of no more use
            self._dying = UNANSWERED.format(seconds=self.timeout)
            run_sync(self.km.shutdown_kernel)(now=True)
            raise DeadKernelError(self._dying) from None
        for output in cell.get("outputs", []):
            said = f"{output.get('ename')}: {output.get('evalue')}"
            if output.output_type == "error" and any(marker in said for marker in MEMORY_ERRORS):
                output.evalue = OUT_OF_MEMORY.format(gb=sandbox.memory_gb())
                output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources

    def _graded_test(self, cell) -> list[NotebookNode]:
        """The outputs of a graded test cell: none if it passed, else its error."""
        if self._tampered:
            return [_tampered(self._tampered)]
        try:
            verdict = self.km.trusted_tests.run(cell.source, self.km.provisioner.pid)
        except Untrusted as why:
            if not run_sync(self.km.is_alive)():
                raise DeadKernelError(str(why)) from None
            self._tampered = f"no trusted answer: {why}"
            return [_tampered(self._tampered)]
        if verdict.kind == "passed":
            return []
        if verdict.kind == "failed":
            return [NotebookNode(output_type="error", ename=verdict.ename, evalue=verdict.evalue,
                                 traceback=[f"{verdict.ename}: {verdict.evalue}"])]
        if verdict.kind == "stopped":
            timeout = self.error_on_timeout
            if verdict.evalue == "still running":  # a test's thread that would not stop: a new kernel
                self._dying = timeout["evalue"]
                run_sync(self.km.shutdown_kernel)(now=True)
                raise DeadKernelError(timeout["evalue"])
            return [NotebookNode(output_type="error", **timeout)]
        self._tampered = verdict.evalue
        return [_tampered(self._tampered)]

    def _death_reason(self) -> str:
        if self._kernels and sandbox.memory_cgroup_oom_kills(self._kernels[-1]):
            return OUT_OF_MEMORY.format(gb=sandbox.memory_gb())
        return KILLED


def imported(sources) -> list[str]:
    """The modules `import` statements in `sources` name (a source that is not Python names none)."""
    found = []
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.append(node.module)
    return sorted(set(found))


def _error(message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename="RuntimeError", evalue=message,
                        traceback=[f"RuntimeError: {message}"])


def _tampered(why: str) -> NotebookNode:
    """The student reads the plain reason; the instructor's copy (the traceback's second line) says why."""
    return NotebookNode(output_type="error", ename=TAMPERING, evalue=TAMPERED,
                        traceback=[f"{TAMPERING}: {TAMPERED}", f"found: {why}"])
