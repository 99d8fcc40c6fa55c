"""A submission can't change what the hidden tests run, see or print: the fixture week90 handed in
by students who solve nothing but try a trick each (every trick earns nothing and is named), by
honest students who use IPython's ordinary features (never named), and by one who prints every
cell's source while it runs (none of it reaches the feedback).

Each trick is a short piece of code put before the (unsolved) `double`; `square` is left unsolved.
"""

from __future__ import annotations

import csv

import pytest

from pipeline.copies import hand_in
from pipeline.execute import TAMPERED, TAMPERING
from tests.support import GOOD, assert_no_leak, graded_cells, grades, run_ok, scratch, week90_course

pytestmark = pytest.mark.xdist_group("week90")

NOTHING = {"double": "def double(x):\n    pass", "square": "def square(x):\n    pass"}


def skip_checks_by_input_transformer():
    return '''
def skip_checks(lines):
    return ["pass\\n"] if any("check" in line for line in lines) else lines
get_ipython().input_transformers_cleanup.append(skip_checks)'''


def drop_checks_by_ast_transformer():
    return '''
import ast
class DropChecks(ast.NodeTransformer):
    def visit_Module(self, node):
        kept = [statement for statement in node.body if "check" not in ast.unparse(statement)]
        node.body = kept or [ast.Pass()]
        return node
get_ipython().ast_transformers.append(DropChecks())'''


def replace_the_checks_code():
    return '''
import sys
def passes(*args, **kwargs):
    return None
checks = sys.modules["helpers.checks"]
for name in ("check", "check_that", "check_type", "check_choice", "fail"):
    try:
        getattr(checks, name).__code__ = passes.__code__
    except RuntimeError:
        pass'''


def rebind_the_checkers():
    return '''
import helpers, helpers.checks
helpers.check = helpers.checks.check = helpers.checks.fail = lambda *args, **kwargs: None'''


def replace_builtins():
    return '''
import builtins
builtins.abs = lambda value: 0
builtins.AssertionError = type("AssertionError", (Exception,), {})'''


def patch_numpy_comparisons():
    return '''
import numpy as np
np.allclose = np.array_equal = lambda *args, **kwargs: True
np.equal = lambda *args, **kwargs: np.bool_(True)'''


def reach_the_checkers_globals():
    return '''
import helpers
helpers.check.__globals__["fail"] = lambda *args, **kwargs: None
helpers.check.__globals__["np"].equal = lambda *args, **kwargs: True'''


def plant_a_module_a_test_imports_later():
    return '''
import sys, types
sys.modules["helpers.planted"] = types.SimpleNamespace(check=lambda *args, **kwargs: None)'''


def replace_helpers_in_sys_modules():
    return '''
import sys, types
sys.modules["helpers"] = types.SimpleNamespace(check=lambda *args, **kwargs: None)'''


def swallow_errors_with_a_custom_handler():
    return '''
get_ipython().set_custom_exc((Exception,), lambda *args, **kwargs: None)'''


def silence_display_and_print():
    return '''
import builtins, sys
sys.displayhook = lambda value: None
builtins.print = lambda *args, **kwargs: None'''


def trace_every_line():
    return '''
import sys, threading
def tracer(frame, event, arg):
    return tracer
sys.settrace(tracer)
threading.settrace(tracer)'''


def patch_from_a_thread():
    return '''
import threading, time, helpers, helpers.checks
def keep_patching():
    while True:
        helpers.check = helpers.checks.check = lambda *args, **kwargs: None
        time.sleep(0.001)
threading.Thread(target=keep_patching, daemon=True).start()'''


def walk_the_object_graph():
    return '''
import gc, helpers.checks
try:
    for holder in gc.get_referrers(helpers.checks.check):
        if isinstance(holder, dict) and "check" in holder:
            holder["check"] = lambda *args, **kwargs: None
except RuntimeError:
    pass'''


def write_memory_with_ctypes():
    return '''
try:
    import ctypes
    ctypes.c_long.from_address(id(1) + 24).value = 1
except (RuntimeError, ImportError):
    pass'''


def write_process_memory():
    return '''
try:
    open("/proc/self/mem", "rb").close()
except (RuntimeError, OSError):
    pass'''


def replace_the_kernels_handler():
    return '''
kernel = get_ipython().kernel
original = kernel.shell_handlers["execute_request"]
async def quiet(*args, **kwargs):
    return await original(*args, **kwargs)
kernel.shell_handlers["execute_request"] = quiet'''


def forge_the_graders_answer():
    return '''
import os, socket
for fd in range(3, 256):
    try:
        peer = socket.socket(fileno=os.dup(fd))
        if "tests-" in str(peer.getpeername()):
            peer.sendall((64).to_bytes(4, "big") + bytes(64))
        peer.detach()
    except OSError:
        pass'''


# A test calls the student's function: from there it reaches into the test itself.
def rebind_the_tests_names_through_its_frame():
    return '''
import sys
def double(x):
    try:
        sys._getframe(1).f_globals["check"] = lambda *args, **kwargs: None
    except RuntimeError:
        pass
    return 0'''


def reach_the_test_through_a_traceback():
    return '''
def double(x):
    try:
        raise ValueError
    except ValueError as error:
        try:
            error.__traceback__.tb_frame.f_back.f_globals["check"] = lambda *args, **kwargs: None
        except RuntimeError:
            pass
    return 0'''


TRICKS = [skip_checks_by_input_transformer, drop_checks_by_ast_transformer, replace_the_checks_code,
          rebind_the_checkers, replace_builtins, patch_numpy_comparisons, replace_helpers_in_sys_modules,
          swallow_errors_with_a_custom_handler, silence_display_and_print, trace_every_line,
          patch_from_a_thread, walk_the_object_graph, write_memory_with_ctypes, write_process_memory,
          replace_the_kernels_handler, forge_the_graders_answer, rebind_the_tests_names_through_its_frame,
          reach_the_test_through_a_traceback, reach_the_checkers_globals, plant_a_module_a_test_imports_later]

HONEST = '''
%matplotlib inline
%config InlineBackend.figure_format = "retina"
%load_ext autoreload
%autoreload 2
%timeit -n1 -r1 sum(range(10))
import logging, warnings
import matplotlib.pyplot as plt
import numpy as np
warnings.filterwarnings("ignore")
logging.getLogger().setLevel(logging.INFO)
np.set_printoptions(precision=3)
np.random.seed(0)
plt.rcParams["figure.figsize"] = (4, 3)
plt.style.use("default")
from helpers import check
check(1 + 1, 2, "my own check")
def twice(x):
    return x + x
def double(x):
    return twice(x)'''

SHOW_EVERY_CELL = '''
def show(info):
    print("RAN:", info.raw_cell)
get_ipython().events.register("pre_run_cell", show)
'''


@pytest.fixture(scope="session")
def graded():
    course = week90_course(scratch("tampering-") / "course")
    for trick in TRICKS:
        answers = {**NOTHING, "double": trick() + "\n" + NOTHING["double"]}
        if "def double" in trick():
            answers["double"] = trick()
        hand_in(course, trick.__name__, "week90", answers)
    hand_in(course, "honest", "week90", {**GOOD, "double": HONEST})
    hand_in(course, "shows_every_cell", "week90", {**GOOD, "double": SHOW_EVERY_CELL + GOOD["double"]})
    run_ok(course, "autograde", "week90", "--cell-timeout", "20")
    run_ok(course, "feedback", "week90")
    return course


def flagged(course, student: str) -> list[str]:
    """The reasons the autograded notebook gives for cells it did not trust."""
    return [output.traceback[-1] for cell in graded_cells(course, student).values()
            for output in cell.get("outputs", []) if output.get("ename") == TAMPERING]


@pytest.mark.parametrize("trick", TRICKS, ids=[trick.__name__ for trick in TRICKS])
def test_a_trick_earns_nothing_and_is_named(graded, trick):
    assert grades(graded, "week90")[trick.__name__][0] == 0
    assert flagged(graded, trick.__name__), f"{trick.__name__} was not named"


def test_ordinary_features_are_never_taken_for_tricks(graded):
    assert flagged(graded, "honest") == []
    assert grades(graded, "week90")["honest"] == (5, 5)


def test_printing_every_cell_shows_no_hidden_test_to_the_student(graded):
    assert flagged(graded, "shows_every_cell")
    assert_no_leak(graded, solved=("honest", "shows_every_cell"))


def test_grades_and_the_report_list_what_to_review(graded):
    run_ok(graded, "grades", "--to", "grades.csv")
    with open(graded.root / "grades.csv", newline="") as handle:
        review = {row["student_id"]: row["review"] for row in csv.DictReader(handle)}
    assert {student for student, said in review.items() if said} == {trick.__name__ for trick in TRICKS} | {
        "shows_every_cell"}
    assert review["replace_builtins"].startswith("week90: the notebook replaced builtins.abs")
    report = run_ok(graded, "report", "week90").stdout
    assert "review rebind_the_checkers: its notebook changed how tests run" in report


def test_the_student_reads_a_plain_reason_the_instructor_what_was_found(graded):
    page = (graded.feedback / "replace_builtins" / "week90" / "week90.html").read_text()
    assert "graded cells were not trusted" in page and "builtins.abs" not in page
    assert any("builtins.abs" in reason for reason in flagged(graded, "replace_builtins"))
    assert TAMPERED.split(";")[0] in page


def test_a_failed_cell_shows_the_graders_words_in_full_and_nothing_else():
    from pipeline.course import Settings
    from pipeline.execute import KILLED, OUT_OF_MEMORY, said_by_the_grader

    for said in (KILLED, OUT_OF_MEMORY.format(gb=4), Settings(cell_timeout=10).timeout_message, TAMPERED):
        assert said_by_the_grader(said)
    for said in ("This cell used more than 4 GiB check(secret(3), 9)", "name 'x' is not defined",
                 KILLED + " "):
        assert not said_by_the_grader(said)
