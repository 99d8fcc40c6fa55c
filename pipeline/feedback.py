"""What students get back: their notebook as they handed it in, the scores, and for each test the
message of the check that failed; never a hidden test, and nothing the grading run printed.

nbgrader's feedback shows the autograded notebook, whose test cells hold the hidden tests and whose
tracebacks quote their lines (nbgrader issues #917, #1363); and whose other cells show what the
submission's own code printed while it was graded, which could be anything it saw then. So
`generate_feedback` runs, after nbgrader's `GetGrades`:

- `ClearHiddenTestsOfTestCells`: nbgrader's own `ClearHiddenTests`, on test cells only (a student's
  own cell may print the markers and must not break its feedback);
- `SubmittedOutputs`: every other cell shows the outputs it had when it was handed in, and a cell
  that failed in the grading run says only how (the grader's own reasons in full, otherwise the
  name of a Python error);
- `ShortenTracebacks`: an error in a test cell is shown as its message alone.

See `pipeline/config.py`.
"""

from __future__ import annotations

import builtins
from pathlib import Path

from nbformat import NotebookNode
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor

from pipeline.execute import said_by_the_grader
from pipeline.notebooks import cells_of, grade_id, is_test

PYTHON_ERRORS = {name for name, value in vars(builtins).items()
                 if isinstance(value, type) and issubclass(value, BaseException)}


class ClearHiddenTestsOfTestCells(ClearHiddenTests):
    def preprocess_cell(self, cell, resources, index):
        if not is_test(cell):
            return cell, resources
        return super().preprocess_cell(cell, resources, index)


class SubmittedOutputs(NbGraderPreprocessor):
    def preprocess(self, nb, resources):
        self._handed_in = _outputs_handed_in(self._submission(resources))
        return super().preprocess(nb, resources)

    def _submission(self, resources) -> Path:
        from nbgrader.coursedir import CourseDirectory

        info = resources["nbgrader"]
        course = CourseDirectory(config=self.config)
        return (Path(course.root) / course.submitted_directory / info["student"] / info["assignment"]
                / f"{info['notebook']}.ipynb")

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or is_test(cell):
            return cell, resources
        failed = [output for output in cell.get("outputs", []) if output.output_type == "error"]
        cell.outputs = self._handed_in.get(cell.get("id"), self._handed_in.get(grade_id(cell) or "", []))
        if failed:
            cell.outputs = [*cell.outputs, _graded_note(failed[0])]
        return cell, resources


def _outputs_handed_in(path: Path) -> dict[str, list]:
    """{cell id or grade id: outputs} of the notebook as it was handed in."""
    found = {}
    for cell in cells_of(path):
        if cell.cell_type == "code":
            found[cell.get("id", "")] = cell.get("outputs", [])
            if grade_id(cell):
                found[grade_id(cell)] = cell.get("outputs", [])
    return found


def _graded_note(error: NotebookNode) -> NotebookNode:
    if said_by_the_grader(error.evalue):
        said = f"{error.ename}: {error.evalue}"
    elif error.ename in PYTHON_ERRORS:
        said = f"{error.ename} (the grading run's message is not shown)"
    else:
        said = "an error of your own code's type"
    return NotebookNode(output_type="stream", name="stderr", text=f"When graded, this cell failed: {said}\n")


class ShortenTracebacks(NbGraderPreprocessor):
    def preprocess_cell(self, cell, resources, index):
        if is_test(cell):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
