"""Outputs capped by size, so one submission can't flood the autograded notebook or its feedback.

nbgrader's `LimitOutput` counts lines; one `print` of a 200 MB string is one line. Here every text
of an output (a stream, a representation, an error message) keeps at most `max_text` characters,
an image at most `max_image`, and once a notebook's outputs reach `max_notebook` characters the
outputs of later cells are replaced by a note. Each cut leaves a visible note saying what was cut.
"""

from __future__ import annotations

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer

IMAGES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")


def _note(text: str) -> NotebookNode:
    return NotebookNode(output_type="stream", name="stdout", text=f"... {text} ...\n")


class LimitOutputSize(NbGraderPreprocessor):
    max_text = Integer(20_000, help="characters kept of one text output").tag(config=True)
    max_image = Integer(2_000_000, help="characters (base64) of one image").tag(config=True)
    max_notebook = Integer(10_000_000, help="characters of all the outputs of a notebook").tag(config=True)

    def preprocess(self, nb, resources):
        self._left = self.max_notebook
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.get("outputs"):
            return cell, resources
        if self._left <= 0:
            cell.outputs = [_note("output dropped: the notebook's outputs passed "
                                  f"{self.max_notebook:,} characters")]
            return cell, resources
        cell.outputs = [self._limit(output) for output in cell.outputs]
        self._left -= sum(_size(output) for output in cell.outputs)
        return cell, resources

    def _limit(self, output: NotebookNode) -> NotebookNode:
        if output.output_type == "stream":
            output.text = self._cut(output.text)
        elif output.output_type == "error":
            output.evalue = self._cut(output.evalue)
            output.traceback = [self._cut(line) for line in output.traceback]
        elif "data" in output:
            for kind, value in list(output.data.items()):
                if kind in IMAGES and len(str(value)) > self.max_image:
                    del output.data[kind]
                    output.data.setdefault("text/plain", f"[an image of {len(str(value)):,} characters, "
                                                         "too large to keep]")
                elif kind not in IMAGES and isinstance(value, str):
                    output.data[kind] = self._cut(value)
        return output

    def _cut(self, text: str) -> str:
        if len(text) <= self.max_text:
            return text
        return text[: self.max_text] + (f"\n... output truncated: {len(text) - self.max_text:,} more "
                                        "characters ...\n")


def _size(output: NotebookNode) -> int:
    parts = [output.get("text", ""), output.get("evalue", ""), *output.get("traceback", [])]
    parts += [str(value) for value in output.get("data", {}).values()]
    return sum(len(part) for part in parts)
