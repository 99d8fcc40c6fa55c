"""Plain functions the tests share: a week's exercises, its answers judged once, secret-line checks."""

from __future__ import annotations

import copy
import re
import shutil
from functools import cache
from pathlib import Path

from pipeline.notebooks import HIDDEN_TESTS, SOLUTION, grade_id, is_grade, is_solution, read_source
from pipeline.paths import ROOT, SOURCE

TESTS = Path(__file__).resolve().parent
LEAK_CHECK = ROOT.parent / "shared" / "tools" / "leak_check.py"  # present beside the course in CI


def working_copy(week: str, into: Path) -> Path:
    """A copy of the week's folder without its sources, to run the week in (never in source/)."""
    folder = into / week
    shutil.copytree(SOURCE / week, folder, ignore=shutil.ignore_patterns("*.md", "*.ipynb", ".*"))
    return folder


def exercises(notebook) -> dict[str, list[int]]:
    """{solution grade_id: indices of the graded cells that test it (up to the next solution)}."""
    found, current = {}, None
    for index, cell in enumerate(notebook.cells):
        if is_solution(cell):
            current = grade_id(cell)
            found[current] = []
        elif is_grade(cell) and current is not None:
            found[current].append(index)
    return found


def wrong_answers(week: str) -> list[tuple[str, str, str]]:
    """(solution grade_id, what is wrong, replacement source) from tests/wrong_answers/<week>.md."""
    return _answers(TESTS / "wrong_answers" / f"{week}.md")


def right_answers(week: str) -> list[tuple[str, str, str]]:
    """(solution grade_id, how it differs from the reference, source) from tests/right_answers/<week>.md."""
    return _answers(TESTS / "right_answers" / f"{week}.md")


def _answers(file: Path) -> list[tuple[str, str, str]]:
    """Level-2 headings `## <grade_id>: <description>`, each followed by a python code block."""
    if not file.exists():
        return []
    pattern = re.compile(r"^## (\S+?): (.+?)\n+```python\n(.*?)^```", re.S | re.M)
    return [match.groups() for match in pattern.finditer(file.read_text(encoding="utf-8"))]


def with_answer(week: str, solution_id: str, source: str):
    notebook = copy.deepcopy(read_source(week))
    for cell in notebook.cells:
        if grade_id(cell) == solution_id:
            cell.source = source
            return notebook
    raise KeyError(f"{week} has no solution cell '{solution_id}'")


SEEDS = 20  # the reference of an exercise that draws random numbers must hold under this many seeds


@cache
def judged(week: str) -> dict[tuple[str, str, str], object]:
    """{(kind, exercise, what): Verdict} of every answer of `week` (tests/judge.py), judged once."""
    from tests.judge import judge

    report = judge(week, seeds=SEEDS)
    short = {cell: points for cell, points in report.reference.items() if points[0] != points[1]}
    assert short == {}, f"the reference of {week} does not earn full marks in the judge: {short}"
    return {(verdict.kind, verdict.exercise, verdict.what): verdict for verdict in report.verdicts}


BLOCKS = {"solution": SOLUTION, "hidden": HIDDEN_TESTS}


def secret_lines(source: Path, kinds=("solution", "hidden"), shortest: int = 20) -> list[str]:
    """Distinctive lines found only inside the `kinds` of blocks of the sources under `source`.

    A line that also stands in public text, or in a block of another kind (a hidden test that
    repeats a line a student may write), does not count: seeing it reveals nothing.
    """
    found = {kind: set() for kind in BLOCKS}
    public = set()
    for md in source.rglob("*.md"):
        inside = None
        for raw in md.read_text(encoding="utf-8").splitlines():
            line = re.sub(r"\s+", " ", raw.strip())
            kind = next((k for k, (begin, _) in BLOCKS.items() if line.startswith(begin)), None)
            if kind or any(line.startswith(end) for _, end in BLOCKS.values()):
                inside = kind
            elif inside:
                if len(line) >= shortest and not line.startswith("#"):
                    found[inside].add(line)
            else:
                public.add(line)
    wanted = set().union(*(found[kind] for kind in kinds))
    others = set().union(*(found[kind] for kind in BLOCKS if kind not in kinds))
    return sorted(wanted - public - others)


def html_text(page: Path) -> str:
    text = re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8", errors="replace"))
    for entity, char in (("&quot;", '"'), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return re.sub(r"\s+", " ", text)


def shown_secrets(pages, secrets) -> dict[str, list[str]]:
    """{page: secret lines it shows} for the pages that show any."""
    found = {}
    for page in pages:
        text = html_text(page)
        leaked = [line for line in secrets if line in text]
        if leaked:
            found[str(page)] = leaked[:3]
    return found
