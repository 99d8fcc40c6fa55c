"""The sandbox's isolation, checked piece by piece (end to end: test_containment.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import run, sandbox
from pipeline.copies import hand_in
from pipeline.course import Course
from tests.support import GOOD, cell_scores, week90_course

ROOT = Course.here().root

AS_NOBODY = """
import os, pwd, sys
from pathlib import Path
from pipeline import sandbox
course, secret = Path(sys.argv[1]), Path(sys.argv[2])
sandbox.expose([course])
nobody = pwd.getpwnam("nobody")
os.setgroups([]); os.setgid(nobody.pw_gid); os.setuid(nobody.pw_uid)
print((course / "lesson.txt").read_text(), sorted(os.listdir(course.parent)), secret.exists())
"""


@pytest.mark.skipif(not sandbox.isolates(), reason="needs root and unshare")
def test_a_course_under_a_closed_folder_is_reachable_and_nothing_else_there(tmp_path):
    closed = tmp_path / "home"
    (closed / "course").mkdir(parents=True)
    (closed / "course" / "lesson.txt").write_text("reachable")
    (closed / "private.txt").write_text("secret")
    closed.chmod(0o700)
    command = ["unshare", "--mount", "--propagation", "private", sys.executable, "-c", AS_NOBODY,
               str(closed / "course"), str(closed / "private.txt")]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=run.environment())
    assert result.stdout.split() == ["reachable", "['course']", "False"], result.stderr


def test_the_sandbox_kernel_runs_this_environment_on_this_course():
    from pipeline.ipc import IPCKernelManager

    spec = IPCKernelManager(kernel_name=sandbox.SANDBOX_KERNEL).kernel_spec
    assert spec.argv[:3] == [sys.executable, "-m", "pipeline.sandbox"]
    assert spec.env == {"PYTHONPATH": str(ROOT), "COURSE_ROOT": str(ROOT)}


@pytest.mark.skipif(not sandbox.isolates(), reason="needs root and unshare")
def test_a_course_in_a_closed_folder_with_a_linked_environment_is_graded(tmp_path):
    """The course's folder only its owner may enter, its `.venv` a link to an environment elsewhere:
    the kernel still starts as `nobody`, and grading writes nothing into the shared environment."""
    closed = tmp_path / "closed"
    closed.mkdir()
    course = week90_course(closed / "course")
    (course.root / ".venv").symlink_to(Path(sys.prefix).resolve(), target_is_directory=True)
    closed.chmod(0o700)
    course.root.chmod(0o700)
    hand_in(course, "good", "week90", GOOD)
    python = course.root / ".venv" / "bin" / "python"
    result = subprocess.run([str(python), "-m", "pipeline", "autograde", "week90"], cwd=course.root,
                            env=run.environment(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert cell_scores(course)["good"] == {"double_tests": 2, "square_tests": 3}
    assert not (Path(sys.prefix) / "share" / "jupyter" / "kernels" / sandbox.SANDBOX_KERNEL).exists()


def test_validate_in_the_course_folder_compares_tensors_like_any_kernel(tmp_path):
    """nbgrader's Validate, started in the course folder (its nbgrader_config.py applies), runs in
    the sandbox kernel as an ordinary kernel: the checkers compare tensors there as they do in Lab."""
    import nbformat

    test = nbformat.v4.new_code_cell("import torch\nfrom helpers import check\n"
                                     "check(torch.arange(3.0), torch.tensor([0.0, 1.0, 2.0]), 'a tensor')")
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "tensor_tests", "locked": True, "points": 1,
                                 "schema_version": 3, "solution": False, "task": False}
    notebook = tmp_path / "tensors.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[test]), notebook)
    result = subprocess.run([str(run.BIN / "nbgrader"), "validate", str(notebook)], cwd=ROOT,
                            env=run.environment(), capture_output=True, text=True, timeout=300)
    assert "Success" in result.stdout, result.stdout + result.stderr
