"""What the tests share: the weeks, their answers judged once, graded course copies, secret lines."""

from __future__ import annotations

import atexit
import csv
import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import nbformat
import pytest

from pipeline.copies import copy_course, course_in, hand_in, reference_answers
from pipeline.course import Course
from pipeline.notebooks import HIDDEN_TESTS, SOLUTION, grade_id, is_grade, is_solution

COURSE = Course.here()
WEEKS = COURSE.weeks()
TESTS = Path(__file__).resolve().parent
LEAK_CHECK = COURSE.root.parent / "shared" / "tools" / "leak_check.py"  # present beside the course in CI


# ---- the weeks, grouped so one pytest-xdist worker runs a week's tests together ---------------------

def by_week(values):
    """Parameters grouped per week (their first value), so one pytest-xdist worker runs a week."""
    params = []
    for value in values:
        value = value if isinstance(value, tuple) else (value,)
        params.append(pytest.param(*value, id="-".join(map(str, value)),
                                   marks=pytest.mark.xdist_group(value[0])))
    return params


def working_copy(week: str, into: Path) -> Path:
    """A copy of the week's folder without its sources, to run the week in (never in source/)."""
    folder = into / week
    shutil.copytree(COURSE.source / week, folder, ignore=shutil.ignore_patterns("*.md", "*.ipynb", ".*"))
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


# ---- answers, judged once per week (tests/judge.py) -------------------------------------------------

SEEDS = 20  # the reference of an exercise that draws random numbers must hold under this many seeds


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


@cache
def judged(week: str) -> dict[tuple[str, str, str], object]:
    """{(kind, exercise, what): Verdict} of every answer of `week`, judged once."""
    from tests.judge import judge

    report = judge(week, seeds=SEEDS)
    short = {cell: points for cell, points in report.reference.items() if points[0] != points[1]}
    assert short == {}, f"the reference of {week} does not earn full marks in the judge: {short}"
    return {(verdict.kind, verdict.exercise, verdict.what): verdict for verdict in report.verdicts}


# ---- course copies, graded ------------------------------------------------------------------------

def scratch(prefix: str) -> Path:
    """A new folder in /tmp, removed when the test run ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def run_ok(course: Course, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`python3 course.py <args>` in the copy; fails the test with its output on error."""
    result = course_in(course, *args, **env)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def grades(course: Course, week: str) -> dict[str, tuple[float, float]]:
    """{student: (points, points possible)} of `week` from `course.py grades`."""
    run_ok(course, "grades", "--to", "grades.csv")
    with open(course.root / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {row["student_id"]: (float(row[week]), float(row[f"{week} max"])) for row in rows}


def cell_scores(course: Course, week: str = "week90") -> dict[str, dict[str, float]]:
    """{student: {graded cell: score}} as the copy's gradebook (SQLite or PostgreSQL) holds them."""
    from pipeline.grades import scores

    with course.gradebook() as gradebook:
        return scores(course, gradebook, week)[1]


def graded_cells(course: Course, student: str, week: str = "week90") -> dict:
    """{grade_id: cell} of a student's autograded notebook."""
    notebook = nbformat.read(course.autograded / student / week / f"{week}.ipynb", as_version=4)
    return {grade_id(cell): cell for cell in notebook.cells if grade_id(cell)}


GOOD = {"double": "def double(x):\n    return 2 * x", "square": "def square(x):\n    return x * x"}


def week90_course(root: Path) -> Course:
    """A course copy whose only week is the two-exercise fixture week90, released."""
    course = copy_course(root, weeks=[])
    (course.source / "week90").mkdir(parents=True)
    shutil.copy(TESTS / "fixtures" / "week90.md", course.source_md("week90"))
    shutil.rmtree(course.release)
    run_ok(course, "release", "week90")
    return course


BATCH = {
    "good": GOOD,
    "blank": {},
    "wrong": {**GOOD, "double": "def double(x):\n    return abs(2 * x)"},
    "killer": {**GOOD, "double": "import os\nos._exit(3)"},
}


@cache
def batch_course() -> Course:
    """A released week90 course copy with BATCH handed in, never graded: copy it to grade it."""
    course = week90_course(scratch("batch-") / "course")
    for student, answers in BATCH.items():
        hand_in(course, student, "week90", answers)
    return course


def copy_of(course: Course, prefix: str) -> Course:
    return Course(shutil.copytree(course.root, scratch(prefix) / "course", symlinks=True))


@cache
def pool_scores() -> dict[str, dict[str, float]]:
    """The local pool's scores of BATCH: what every other way of grading must reproduce."""
    course = copy_of(batch_course(), "local-")
    run_ok(course, "autograde", "week90", "--cell-timeout", "10")
    return cell_scores(course)


# The fast judge's scores are compared with nbgrader's on these weeks: one without torch, one with.
JUDGE_CHECKED = ["week01", "week03"]


@cache
def graded_week(week: str) -> Course:
    """A course copy in which the week was released afresh and nbgrader graded hand-ins of it and
    wrote their feedback: the reference solution, the untouched release and, for JUDGE_CHECKED,
    the first wrong answer."""
    course = copy_course(scratch(f"graded-{week}-") / "course", [week])
    run_ok(course, "release", week)  # test_release.py compares it with the committed one
    answers = reference_answers(week)
    hand_in(course, "reference", week, answers)
    hand_in(course, "blank", week, {})
    if week in JUDGE_CHECKED:
        exercise, _, wrong = wrong_answers(week)[0]
        hand_in(course, "wrong", week, {**answers, exercise: wrong})
    run_ok(course, "autograde", week)
    run_ok(course, "feedback", week)
    return course


# ---- secrets ---------------------------------------------------------------------------------------

BLOCKS = {"solution": SOLUTION, "hidden": HIDDEN_TESTS}


def secret_lines(source: Path, kinds=("solution", "hidden"), shortest: int = 20) -> list[str]:
    """Distinctive lines found only inside the `kinds` of blocks of the weeks' sources under `source`.

    A line that also stands in public text, or in a block of another kind (a hidden test that
    repeats a line a student may write), does not count: seeing it reveals nothing.
    """
    found = {kind: set() for kind in BLOCKS}
    public = set()
    for md in source.glob("week*/week*.md"):
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


def assert_no_leak(course: Course, solved=()):
    """No hidden test in any feedback; no solution in the feedback of students who did not solve."""
    pages = list(course.feedback.rglob("*.html"))
    assert pages
    assert shown_secrets(pages, secret_lines(course.source, kinds=("hidden",))) == {}
    unsolved = [page for page in pages if page.relative_to(course.feedback).parts[0] not in solved]
    assert shown_secrets(unsolved, secret_lines(course.source, kinds=("solution",))) == {}
    for page in pages:
        assert "### BEGIN HIDDEN TESTS" not in page.read_text(), page
