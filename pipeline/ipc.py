"""The grader's side of the kernels: Unix sockets, and the sandbox kernel's spec made in code.

Kept apart from `pipeline/sandbox.py`, which every kernel start imports (twice): Jupyter's client
is only needed here, in the grader.

The `course-sandbox` kernel is described here, not by a kernelspec file: its command runs this
environment's Python on this course's code. A file in the environment's share/ folder would name
one course folder, and several courses that share one environment would overwrite each other's.
"""

from __future__ import annotations

import os
import sys
import uuid

from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec
from traitlets import Float, List, Unicode, default

from pipeline.sandbox import CODE_ROOT, COURSE_VARIABLE, SANDBOX_KERNEL, SOCKETS


class IPCKernelManager(AsyncKernelManager):
    """Kernels reached over Unix sockets (a sandboxed kernel has no network, not even loopback).

    The sockets live in one folder the sandbox user may enter and create files in, not list.
    """

    course_root = Unicode("", help="The course being graded, for the sandbox kernel's spec").tag(config=True)
    trusted_modules = List(Unicode(), allow_none=True, default_value=None,
                           help="What the graded test cells import (pipeline.kernel); set by the grader "
                           "(pipeline.execute) only: without it, as for Validate, the kernel is an "
                           "ordinary one in the sandbox, with no channel for graded tests")
    cell_timeout = Float(90.0, help="Seconds a graded test cell may run")
    trusted_tests = None  # the sandbox kernel's socket for graded test cells (pipeline.trusted)

    async def _async_pre_start_kernel(self, **kw):
        if self.kernel_name == SANDBOX_KERNEL and self.trusted_modules is not None:
            from pipeline.trusted import TrustedTests

            if self.trusted_tests is not None:
                self.trusted_tests.close()
            self.trusted_tests = TrustedTests(self.trusted_modules, self.cell_timeout)
            kw["env"] = {**kw.get("env", os.environ), **self.trusted_tests.environment()}
        return await super()._async_pre_start_kernel(**kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        if self.trusted_tests is not None:
            self.trusted_tests.close()
        await super()._async_cleanup_resources(restart=restart)

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc"

    @default("ip")
    def _ip_default(self) -> str:
        SOCKETS.mkdir(mode=0o1733, exist_ok=True)
        SOCKETS.chmod(0o1733)
        return str(SOCKETS / f"kernel-{uuid.uuid4().hex}")

    @property
    def kernel_spec(self) -> KernelSpec | None:
        if self.kernel_name == SANDBOX_KERNEL and self._kernel_spec is None:
            self._kernel_spec = sandbox_spec(self.course_root)
        return super().kernel_spec


def sandbox_spec(course_root: str = "") -> KernelSpec:
    """`python -m pipeline.sandbox`: this interpreter, this code first on the path, the course graded."""
    return KernelSpec(argv=[sys.executable, "-m", "pipeline.sandbox", "{connection_file}"],
                      display_name="Course sandbox (autograding)", language="python",
                      env={"PYTHONPATH": str(CODE_ROOT), COURSE_VARIABLE: course_root or str(CODE_ROOT)})
