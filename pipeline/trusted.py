"""The grader's end of a sandbox kernel's own socket for graded test cells (`pipeline.kernel`).

For each kernel it starts, the grader listens on a fresh Unix socket in the sockets folder (which
anyone may enter, nobody may list). The kernel connects before IPython starts, so before any cell
of the submission runs, and sends a fresh key; the grader accepts that one connection only, from
that kernel's process. Each graded test cell then goes over it as a request with a random nonce;
the answer must echo the nonce and carry the key's signature, or the cell is not trusted.
"""

from __future__ import annotations

import hmac
import os
import select
import socket
import struct
import uuid
from dataclasses import dataclass

from pipeline.kernel import (
    FAILED,
    MODULES_VARIABLE,
    NONCE,
    PASSED,
    SOCKET_VARIABLE,
    STOPPED,
    TAMPERED,
    TIMEOUT_VARIABLE,
)
from pipeline.sandbox import SOCKETS

KEY = 32
SIGNATURE = 32


@dataclass
class Verdict:
    """What a graded test cell's run came to: passed, failed (with the error), tampered, stopped."""

    kind: str  # "passed", "failed", "tampered", "stopped" or "lost" (no trusted answer came)
    ename: str = ""
    evalue: str = ""


class Untrusted(Exception):
    """The kernel's answer did not come, or did not come from the kernel's own code."""


class TrustedTests:
    def __init__(self, modules: list[str], cell_timeout: float):
        SOCKETS.mkdir(mode=0o1733, exist_ok=True)
        self.path = SOCKETS / f"tests-{uuid.uuid4().hex}"
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(self.path))
        self.path.chmod(0o777)  # the kernel runs as another user; the name is the secret
        self.listener.listen(1)
        self.modules, self.cell_timeout = modules, cell_timeout
        self.connection, self.key = None, b""

    def environment(self) -> dict[str, str]:
        """What the kernel's process is told: where to connect, what to watch, how long a test may run."""
        return {SOCKET_VARIABLE: str(self.path), MODULES_VARIABLE: ",".join(self.modules),
                TIMEOUT_VARIABLE: str(self.cell_timeout)}

    def accept(self, pid: int | None, timeout: float = 60) -> None:
        """The kernel's connection and key (once); a connection from another process is refused."""
        if self.connection is not None:
            return
        if not select.select([self.listener], [], [], timeout)[0]:
            raise Untrusted("the kernel never connected to the grader")
        connection, _ = self.listener.accept()
        peer, _, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        self.close_listener()
        if pid is not None and peer != pid:
            connection.close()
            raise Untrusted(f"process {peer}, not the kernel {pid}, connected")
        self.connection, self.key = connection, self._read(connection, KEY, timeout)

    def run(self, source: str, pid: int | None) -> Verdict:
        """Run a graded test cell in the kernel; its verdict, or `Untrusted`."""
        self.accept(pid)
        nonce = os.urandom(NONCE)
        body = nonce + source.encode("utf-8")
        self.connection.sendall(len(body).to_bytes(4, "big") + body)
        wait = self.cell_timeout + 30  # the kernel stops a test itself after cell_timeout
        length = int.from_bytes(self._read(self.connection, 4, wait), "big")
        message = self._read(self.connection, length, wait)
        signature, answer = message[:SIGNATURE], message[SIGNATURE:]
        if not hmac.compare_digest(signature, hmac.digest(self.key, answer, "sha256")):
            raise Untrusted("an answer without the kernel's signature")
        if answer[:NONCE] != nonce:
            raise Untrusted("an answer to another request")
        kind, said = answer[NONCE:NONCE + 1], answer[NONCE + 1:].decode("utf-8")
        if kind == PASSED:
            return Verdict("passed")
        if kind == FAILED:
            ename, _, evalue = said.partition("\0")
            return Verdict("failed", ename, evalue)
        if kind == TAMPERED:
            return Verdict("tampered", evalue=said)
        if kind == STOPPED:
            return Verdict("stopped", evalue=said)
        raise Untrusted("an answer of no known kind")

    @staticmethod
    def _read(connection, count: int, timeout: float) -> bytes:
        data = b""
        while len(data) < count:
            if not select.select([connection], [], [], timeout)[0]:
                raise Untrusted(f"no answer in {timeout:g} s")
            chunk = connection.recv(count - len(data))
            if not chunk:
                raise Untrusted("the kernel closed the connection")
            data += chunk
        return data

    def close_listener(self) -> None:
        self.listener.close()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        self.close_listener()
        if self.connection is not None:
            self.connection.close()
