"""What a submission can't do to its grading, on the fixture week90 in a throwaway course copy:
use too much memory, flood its output, kill its kernel, loop forever, read the hidden tests,
reach the network; and what the instructor gets from the run: grades, a report, feedback."""

from __future__ import annotations

import atexit
import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile

import pytest

from pipeline import sandbox
from pipeline.copies import course_in, hand_in
from tests.support import (
    GOOD,
    LEAK_CHECK,
    assert_no_leak,
    graded_cells,
    grades,
    run_ok,
    scratch,
    week90_course,
)

pytestmark = pytest.mark.xdist_group("week90")

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

TEMPORARY = tempfile.mkdtemp(prefix="grading-tmp-")  # kernels' folders, sockets: seen empty after
os.chmod(TEMPORARY, 0o755)
atexit.register(shutil.rmtree, TEMPORARY, ignore_errors=True)


@pytest.fixture(scope="session")  # module scope is torn down and built again under pytest-xdist
def graded():
    course = week90_course(scratch("course-") / "course")
    hand_in(course, "good", "week90", GOOD)
    hand_in(course, "blank", "week90", {})
    hand_in(course, "wrong", "week90", {**GOOD, "double": "def double(x):\n    return abs(2 * x)"})
    hand_in(course, "killer", "week90", {**GOOD, "double": "import os\nos._exit(3)"})
    hand_in(course, "looper", "week90", {**GOOD, "double": "def double(x):\n    while True:\n        pass"})
    hand_in(course, "snoop", "week90", {**GOOD, "double": SNOOP % str(course.source)})
    hand_in(course, "hog", "week90", {**GOOD, "double": "hoard = bytearray(3 << 30)\n" + GOOD["double"]})
    hand_in(course, "sharer", "week90", {**GOOD, "double": SHARED_MEMORY_HOG + GOOD["double"]})
    hand_in(course, "flooder", "week90", {**GOOD, "double": "print('x' * 30_000_000)\n" + GOOD["double"]})
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        hand_in(course, "caller", "week90", {**GOOD, "double": CALLER % port + GOOD["double"]})
        run_ok(course, "autograde", "week90", "--cell-timeout", "10", "--memory-gb", "1", TMPDIR=TEMPORARY)
    run_ok(course, "feedback", "week90")
    return course


def test_scores_per_submission(graded):
    assert grades(graded, "week90") == {
        "good": (5, 5), "blank": (0, 5), "wrong": (3, 5), "killer": (3, 5), "looper": (3, 5), "snoop": (5, 5),
        "hog": (3, 5), "sharer": (3, 5), "flooder": (5, 5), "caller": (5, 5)}


def test_stopped_kernels_leave_nothing_in_tmp(graded):
    left = {item.name for item in os.scandir(TEMPORARY)}
    assert left <= {"course-kernel-sockets", "course-grading"}, left
    for folder in left:
        assert not os.listdir(os.path.join(TEMPORARY, folder)), folder


def test_submissions_reach_no_network(graded):
    text = "".join(o.get("text", "") for o in graded_cells(graded, "caller")["double"].outputs)
    assert ("NO NETWORK" if sandbox.isolates() else "CONNECTED") in text, text


@pytest.mark.parametrize("student", ["hog", "sharer"])
def test_too_much_memory_stops_the_cell_with_a_reason(graded, student):
    if student == "sharer" and not sandbox.memory_cgroups():
        pytest.skip("no memory cgroup to join here: shared memory escapes the rlimit")
    errors = [o for o in graded_cells(graded, student)["double"].outputs if o.output_type == "error"]
    assert errors and "used more than 1 GiB of memory" in errors[0].evalue, errors


def test_a_flood_of_output_is_cut_to_size(graded):
    notebook = graded.autograded / "flooder" / "week90" / "week90.ipynb"
    assert notebook.stat().st_size < 200_000
    text = "".join(o.get("text", "") for o in graded_cells(graded, "flooder")["double"].outputs)
    assert "output truncated: 29,980,001 more characters" in text
    assert (graded.feedback / "flooder" / "week90" / "week90.html").stat().st_size < 1_000_000


def test_a_cell_that_kills_the_kernel_fails_with_a_reason(graded):
    errors = [o for o in graded_cells(graded, "killer")["double"].outputs if o.output_type == "error"]
    assert errors and "stopped the Python kernel" in errors[0].evalue


def test_an_endless_loop_is_stopped_with_the_timeout_in_force(graded):
    outputs = graded_cells(graded, "looper")["double_tests"].outputs
    assert any(o.output_type == "error" and "more than 10 s" in o.evalue and "endless loop" in o.evalue
               for o in outputs), outputs


@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox hides the course only when it can use namespaces")
def test_submissions_cannot_read_hidden_tests(graded):
    outputs = graded_cells(graded, "snoop")["double"].outputs
    assert "SNOOPED 0" in "".join(o.get("text", "") for o in outputs)


def test_feedback_shows_test_messages_but_no_hidden_test(graded):
    page = (graded.feedback / "wrong" / "week90" / "week90.html").read_text()
    assert "double(-3) stays negative" in page
    assert_no_leak(graded, solved=("good", "wrong", "killer", "looper", "snoop", "hog", "sharer", "flooder",
                                   "caller"))
    if LEAK_CHECK.exists():
        result = subprocess.run([sys.executable, str(LEAK_CHECK), str(graded.root)], capture_output=True,
                                text=True)
        assert result.returncode == 0, result.stdout


def test_grades_have_a_column_per_graded_cell(graded):
    grades(graded, "week90")
    with open(graded.root / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert list(rows["wrong"])[1:] == ["week90/double_tests", "week90/square_tests", "week90", "week90 max",
                                       "total", "max", "review"]
    assert [float(rows["wrong"][column]) for column in list(rows["wrong"])[1:-1]] == [0, 3, 3, 5, 3, 5]
    assert rows["wrong"]["review"] == ""


def test_the_report_counts_scores_and_names_the_common_failures(graded):
    result = run_ok(graded, "report", "week90").stdout
    double = next(line for line in result.splitlines() if "double_tests" in line)
    full, partial, zero = map(int, double.split()[1:4])
    assert (full, partial, zero) == (4, 0, 6), result  # good, snoop, flooder, caller earn it
    assert "AssertionError" in double or "NameError" in double
    assert (graded.root / "reports" / "week90.png").stat().st_size > 5_000


def test_a_stopped_run_is_finished_by_running_again(tmp_path):
    course = week90_course(tmp_path)
    for student in ("kept", "truncated", "missing"):
        hand_in(course, student, "week90", GOOD)
    run_ok(course, "autograde", "week90")
    before = grades(course, "week90")
    notebook = course.autograded / "truncated" / "week90" / "week90.ipynb"
    notebook.write_text(notebook.read_text()[:500])  # as if the run was killed while writing it
    shutil.rmtree(course.autograded / "missing")  # as if killed before grading it
    again = run_ok(course, "autograde", "week90").stdout
    assert "kept: ok already graded" in again
    assert "truncated: ok [" in again and "missing: ok [" in again
    assert grades(course, "week90") == before == {student: (5, 5) for student in before}


def test_a_week_the_gradebook_lacks_is_not_released_behind_the_instructors_back(tmp_path):
    course = week90_course(tmp_path)
    hand_in(course, "good", "week90", GOOD)
    (course.root / "gradebook.db").unlink()
    release = course.release_notebook("week90").read_bytes()
    result = course_in(course, "autograde", "week90")
    assert result.returncode != 0 and "python3 course.py release week90" in result.stderr + result.stdout
    assert course.release_notebook("week90").read_bytes() == release
