"""What students get back: their notebook, scores and test messages, never the hidden tests.

nbgrader's feedback shows the autograded notebook, whose test cells hold the hidden tests and
whose tracebacks quote their lines (nbgrader issues #917, #1363). `HideTestDetails` runs inside
`nbgrader generate_feedback` (see `pipeline/config.py`): graded cells keep only their visible
tests, and an error in them is shown as its message alone.
"""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

from pipeline.notebooks import is_graded, is_solution, visible_tests


class HideTestDetails(NbGraderPreprocessor):
    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_graded(cell) and not is_solution(cell):
            cell.source = visible_tests(cell.source)
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
