"""Autograding end to end, in a throwaway copy of the course: release → submissions → autograde
(sandboxed, in parallel) → feedback → grades.csv."""

from __future__ import annotations

import atexit
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import nbformat
import pytest

from pipeline import sandbox
from pipeline.copies import hand_in as submit
from pipeline.copies import reference_answers
from pipeline.notebooks import grade_id, read_source
from pipeline.score import cell_score, errors
from tests import course_copy
from tests.conftest import WEEKS, by_week
from tests.support import LEAK_CHECK, TESTS, exercises, judged, secret_lines, shown_secrets, wrong_answers

SNOOP = """import pathlib
try:
    found = [p.read_text() for p in pathlib.Path(%r).rglob('*.md')]
except OSError:
    found = []
print('SNOOPED', sum('BEGIN HIDDEN TESTS' in text for text in found))
def double(x):
    return 2 * x"""


SHARED_MEMORY_HOG = """import mmap
hoard = mmap.mmap(-1, 3 << 29, flags=mmap.MAP_SHARED)
for start in range(0, len(hoard), 4096):
    hoard[start] = 1
"""

CALLER = """import socket
try:
    socket.create_connection(("127.0.0.1", %d), timeout=5).close()
    print("CONNECTED")
except OSError as error:
    print("NO NETWORK:", error)
"""


def grades(root, week):
    """{student: (points, points possible)} of `week` from `course.py grades`."""
    course_copy.course(root, "grades", "--to", "grades.csv")
    with open(root / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {row["student_id"]: (float(row[week]), float(row[f"{week} max"])) for row in rows}


def cell_scores(root, student, week):
    notebook = nbformat.read(root / "autograded" / student / week / f"{week}.ipynb", as_version=4)
    return {grade_id(c): c for c in notebook.cells if grade_id(c)}


def assert_no_leak(root, solved=()):
    """No hidden test in any feedback; no solution in the feedback of students who did not solve."""
    pages = list((root / "feedback").rglob("*.html"))
    assert pages
    assert shown_secrets(pages, secret_lines(root / "source", kinds=("hidden",))) == {}
    unsolved = [page for page in pages if page.relative_to(root / "feedback").parts[0] not in solved]
    assert shown_secrets(unsolved, secret_lines(root / "source", kinds=("solution",))) == {}
    for page in pages:
        assert "### BEGIN HIDDEN TESTS" not in page.read_text(), page


GOOD = {"double": "def double(x):\n    return 2 * x", "square": "def square(x):\n    return x * x"}


def week90_course(root: Path) -> Path:
    """A course copy whose only week is the two-exercise fixture week90, released."""
    root = course_copy.make(root, weeks=[])
    (root / "source" / "week90").mkdir(parents=True)
    shutil.copy(TESTS / "fixtures" / "week90.md", root / "source" / "week90" / "week90.md")
    shutil.rmtree(root / "release")
    course_copy.course(root, "release", "week90")
    return root


@pytest.fixture(scope="session")  # module scope is torn down and built again under pytest-xdist
def graded_fixture(tmp_path_factory):
    root = week90_course(tmp_path_factory.mktemp("course"))
    good = GOOD
    submit(root, "good", "week90", good)
    submit(root, "blank", "week90", {})
    submit(root, "wrong", "week90", {**good, "double": "def double(x):\n    return abs(2 * x)"})
    submit(root, "killer", "week90", {**good, "double": "import os\nos._exit(3)"})
    submit(root, "looper", "week90", {**good, "double": "def double(x):\n    while True:\n        pass"})
    submit(root, "snoop", "week90", {**good, "double": SNOOP % str(root / "source")})
    submit(root, "hog", "week90", {**good, "double": "hoard = bytearray(3 << 30)\n" + good["double"]})
    submit(root, "sharer", "week90", {**good, "double": SHARED_MEMORY_HOG + good["double"]})
    submit(root, "flooder", "week90", {**good, "double": "print('x' * 30_000_000)\n" + good["double"]})
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        submit(root, "caller", "week90", {**good, "double": CALLER % port + good["double"]})
        course_copy.course(root, "autograde", "week90", "--cell-timeout", "10", "--memory-gb", "1",
                           TMPDIR=str(TEMPORARY))
    course_copy.course(root, "feedback", "week90")
    return root


TEMPORARY = Path(tempfile.mkdtemp(prefix="grading-tmp-"))  # kernels' folders, sockets: seen empty after
TEMPORARY.chmod(0o755)
atexit.register(shutil.rmtree, TEMPORARY, ignore_errors=True)


@pytest.mark.xdist_group("week90")
def test_scores_per_submission(graded_fixture):
    assert grades(graded_fixture, "week90") == {
        "good": (5, 5), "blank": (0, 5), "wrong": (3, 5), "killer": (3, 5), "looper": (3, 5), "snoop": (5, 5),
        "hog": (3, 5), "sharer": (3, 5), "flooder": (5, 5), "caller": (5, 5)}


@pytest.mark.xdist_group("week90")
def test_stopped_kernels_leave_nothing_in_tmp(graded_fixture):
    assert [item.name for item in TEMPORARY.iterdir()] in ([], ["course-kernel-sockets"])
    assert list((TEMPORARY / "course-kernel-sockets").glob("*")) == []


@pytest.mark.xdist_group("week90")
def test_submissions_reach_no_network(graded_fixture):
    outputs = cell_scores(graded_fixture, "caller", "week90")["double"].outputs
    text = "".join(o.get("text", "") for o in outputs)
    assert ("NO NETWORK" if sandbox.isolates() else "CONNECTED") in text, text


@pytest.mark.xdist_group("week90")
@pytest.mark.parametrize("student", ["hog", "sharer"])
def test_too_much_memory_stops_the_cell_with_a_reason(graded_fixture, student):
    if student == "sharer" and not sandbox.memory_cgroups():
        pytest.skip("no memory cgroup to join here: shared memory escapes the rlimit")
    errors = [o for o in cell_scores(graded_fixture, student, "week90")["double"].outputs
              if o.output_type == "error"]
    assert errors and "used more than 1 GiB of memory" in errors[0].evalue, errors


@pytest.mark.xdist_group("week90")
def test_a_flood_of_output_is_cut_to_size(graded_fixture):
    notebook = graded_fixture / "autograded" / "flooder" / "week90" / "week90.ipynb"
    assert notebook.stat().st_size < 200_000
    outputs = cell_scores(graded_fixture, "flooder", "week90")["double"].outputs
    text = "".join(o.get("text", "") for o in outputs)
    assert "output truncated: 29,980,001 more characters" in text
    feedback = graded_fixture / "feedback" / "flooder" / "week90" / "week90.html"
    assert feedback.stat().st_size < 1_000_000


@pytest.mark.xdist_group("week90")
def test_a_cell_that_kills_the_kernel_fails_with_a_reason(graded_fixture):
    cells = cell_scores(graded_fixture, "killer", "week90")
    errors = [o for o in cells["double"].outputs if o.output_type == "error"]
    assert errors and "stopped the Python kernel" in errors[0].evalue


@pytest.mark.xdist_group("week90")
def test_an_endless_loop_is_stopped_with_a_reason(graded_fixture):
    outputs = cell_scores(graded_fixture, "looper", "week90")["double_tests"].outputs
    assert any(o.output_type == "error" and "endless loop" in o.evalue for o in outputs)


@pytest.mark.xdist_group("week90")
@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox hides the course only when it can use namespaces")
def test_submissions_cannot_read_hidden_tests(graded_fixture):
    outputs = cell_scores(graded_fixture, "snoop", "week90")["double"].outputs
    assert "SNOOPED 0" in "".join(o.get("text", "") for o in outputs)


@pytest.mark.xdist_group("week90")
def test_feedback_shows_test_messages_but_no_hidden_test(graded_fixture):
    page = (graded_fixture / "feedback" / "wrong" / "week90" / "week90.html").read_text()
    assert "double(-3) stays negative" in page
    assert_no_leak(graded_fixture, solved=("good", "wrong", "killer", "looper", "snoop", "hog", "sharer",
                                           "flooder", "caller"))
    if LEAK_CHECK.exists():
        result = subprocess.run([sys.executable, str(LEAK_CHECK), str(graded_fixture)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout


@pytest.mark.xdist_group("week90")
def test_grades_have_a_column_per_graded_cell(graded_fixture):
    grades(graded_fixture, "week90")
    with open(graded_fixture / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert list(rows["wrong"])[1:] == ["week90/double_tests", "week90/square_tests", "week90", "week90 max",
                                       "total", "max"]
    assert [float(rows["wrong"][column]) for column in list(rows["wrong"])[1:]] == [0, 3, 3, 5, 3, 5]


@pytest.mark.xdist_group("week90")
def test_the_report_counts_scores_and_names_the_common_failures(graded_fixture):
    result = course_copy.course(graded_fixture, "report", "week90").stdout
    double = next(line for line in result.splitlines() if "double_tests" in line)
    full, partial, zero = map(int, double.split()[1:4])
    assert (full, partial, zero) == (4, 0, 6), result  # good, snoop, flooder, caller earn it
    assert "AssertionError" in double or "NameError" in double
    assert (graded_fixture / "reports" / "week90.png").stat().st_size > 5_000


@pytest.mark.xdist_group("week90")
def test_a_stopped_run_is_finished_by_running_again(tmp_path):
    root = week90_course(tmp_path)
    for student in ("kept", "truncated", "missing"):
        submit(root, student, "week90", GOOD)
    course_copy.course(root, "autograde", "week90")
    before = grades(root, "week90")
    notebook = root / "autograded" / "truncated" / "week90" / "week90.ipynb"
    notebook.write_text(notebook.read_text()[:500])  # as if the run was killed while writing it
    shutil.rmtree(root / "autograded" / "missing")  # as if killed before grading it
    again = course_copy.course(root, "autograde", "week90").stdout
    assert "kept: ok already graded" in again
    assert "truncated: ok \n" in again and "missing: ok \n" in again
    assert grades(root, "week90") == before == {student: (5, 5) for student in before}


# The fast judge's scores are compared with nbgrader's on these weeks: one without torch, one with.
JUDGE_CHECKED = ["week01", "week03"]


@cache
def graded_week(week: str) -> Path:
    """A course copy in which the week was released afresh and nbgrader graded hand-ins of it and
    wrote their feedback: the reference solution, the untouched release and, for JUDGE_CHECKED,
    the first wrong answer."""
    root = course_copy.make(Path(tempfile.mkdtemp(prefix=f"graded-{week}-")), [week])
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    course_copy.course(root, "release", week)  # test_release.py compares it with the committed one
    answers = reference_answers(week)
    submit(root, "reference", week, answers)
    submit(root, "blank", week, {})
    if week in JUDGE_CHECKED:
        exercise, _, wrong = wrong_answers(week)[0]
        submit(root, "wrong", week, {**answers, exercise: wrong})
    course_copy.course(root, "autograde", week)
    course_copy.course(root, "feedback", week)
    return root


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_reference_earns_every_point(week):
    result = grades(graded_week(week), week)
    assert result["reference"][0] == result["reference"][1] > 0, json.dumps(result)


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_reference_runs_top_to_bottom_without_an_unexpected_error(week):
    notebook = nbformat.read(graded_week(week) / "autograded" / "reference" / week / f"{week}.ipynb", 4)
    assert errors(notebook) == []


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_an_untouched_release_raises_only_in_exercise_cells(week):
    """A lecture cell that uses an unsolved exercise says so in one line (helpers.guards.needs)."""
    notebook = nbformat.read(graded_week(week) / "autograded" / "blank" / week / f"{week}.ipynb", 4)
    assert [line for line in errors(notebook) if "(lecture)" in line] == []


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_untouched_release_earns_nothing(week):
    assert grades(graded_week(week), week)["blank"][0] == 0


@pytest.mark.parametrize("week", by_week([week for week in WEEKS if week in JUDGE_CHECKED]))
def test_wrong_answer_scores_what_the_fast_judge_says(week):
    """tests/judge.py (which proves every wrong answer loses points) scores as autograding does."""
    exercise, what, _ = wrong_answers(week)[0]
    notebook = read_source(week)
    tests = [grade_id(notebook.cells[index]) for index in exercises(notebook)[exercise]]
    graded = cell_scores(graded_week(week), "wrong", week)
    earned = sum(cell_score(graded[cell])[0] for cell in tests)
    assert earned == judged(week)[("wrong", exercise, what)].earned


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_feedback_holds_no_hidden_test(week):
    assert_no_leak(graded_week(week), solved=("reference", "wrong"))
