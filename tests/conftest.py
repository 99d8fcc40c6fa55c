"""Shared fixtures: the weeks, their executed reference notebooks, and their wrong answers."""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path

import pytest

from pipeline.notebooks import grade_id, is_graded, is_solution, read_source
from pipeline.paths import SOURCE, weeks
from pipeline.score import execute

TESTS = Path(__file__).resolve().parent
WEEKS = weeks()


def by_week(values):
    """Parameters grouped per week, so one pytest-xdist worker runs a week's tests together."""
    return [pytest.param(*value if isinstance(value, tuple) else (value,), id="-".join(
        map(str, value if isinstance(value, tuple) else (value,))),
        marks=pytest.mark.xdist_group(value[0] if isinstance(value, tuple) else value))
        for value in values]


@cache
def executed_reference(week: str):
    """The week's source (solutions and hidden tests) after running it once."""
    return execute(read_source(week), SOURCE / week)


def exercises(notebook) -> dict[str, list[int]]:
    """{solution grade_id: indices of the graded cells that test it (up to the next solution)}."""
    found, current = {}, None
    for index, cell in enumerate(notebook.cells):
        if is_solution(cell):
            current = grade_id(cell)
            found[current] = []
        elif is_graded(cell) and current is not None:
            found[current].append(index)
    return found


def wrong_answers(week: str) -> list[tuple[str, str, str]]:
    """(solution grade_id, what is wrong, replacement source) from tests/wrong_answers/<week>.md."""
    file = TESTS / "wrong_answers" / f"{week}.md"
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


BLOCKS = {"solution": ("### BEGIN SOLUTION", "### END SOLUTION"),
          "hidden": ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")}


def secret_lines(source: Path, kinds=("solution", "hidden"), shortest: int = 16) -> list[str]:
    """Distinctive lines inside solution / hidden-test blocks of the sources under `source`."""
    lines, public = set(), set()
    for md in source.rglob("*.md"):
        inside = None
        for raw in md.read_text(encoding="utf-8").splitlines():
            line = re.sub(r"\s+", " ", raw.strip())
            kind = next((k for k, (begin, _) in BLOCKS.items() if line.startswith(begin)), None)
            if kind or any(line.startswith(end) for _, end in BLOCKS.values()):
                inside = kind
            elif inside:
                if inside in kinds and len(line) >= shortest and not line.startswith("#"):
                    lines.add(line)
            else:
                public.add(line)
    return sorted(lines - public)


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
