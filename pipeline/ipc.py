"""The grader's side of a kernel without a network: it talks to the kernel over Unix sockets.

Kept apart from `pipeline/sandbox.py`, which every kernel start imports (twice): Jupyter's client
is only needed here, in the grader.
"""

from __future__ import annotations

import uuid

from jupyter_client import AsyncKernelManager
from traitlets import default

from pipeline.sandbox import SOCKETS


class IPCKernelManager(AsyncKernelManager):
    """The sockets live in one folder the sandbox user may enter and create files in, not list."""

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc"

    @default("ip")
    def _ip_default(self) -> str:
        SOCKETS.mkdir(mode=0o1733, exist_ok=True)
        SOCKETS.chmod(0o1733)
        return str(SOCKETS / f"kernel-{uuid.uuid4().hex}")
