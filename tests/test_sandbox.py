"""The sandbox's isolation, checked piece by piece (end to end: test_containment.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline import run, sandbox
from pipeline.course import Course

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
