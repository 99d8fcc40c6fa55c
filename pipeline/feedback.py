"""What students get back: their notebook, scores and test messages, never the hidden tests.

nbgrader's feedback shows the autograded notebook, whose test cells hold the hidden tests and whose
tracebacks quote their lines (nbgrader issues #917, #1363). `generate_feedback` therefore runs
nbgrader's own `ClearHiddenTests` on the test cells (a student's own cell may print the markers and
must not break its feedback) and then `ShortenTracebacks`: an error in a test cell is shown as its
message alone. See `pipeline/config.py`.
"""

from __future__ import annotations

from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor

from pipeline.notebooks import is_test


class ClearHiddenTestsOfTestCells(ClearHiddenTests):
    def preprocess_cell(self, cell, resources, index):
        if not is_test(cell):
            return cell, resources
        return super().preprocess_cell(cell, resources, index)


class ShortenTracebacks(NbGraderPreprocessor):
    def preprocess_cell(self, cell, resources, index):
        if is_test(cell):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
