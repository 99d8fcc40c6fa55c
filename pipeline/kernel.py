"""The sandbox's kernel: IPython runs the student's cells; graded test cells run outside IPython.

`pipeline.sandbox` starts it as ``python -m pipeline.kernel -f <connection file>``. Before any
cell of the submission runs, it

1. imports the modules the week's tests use (named by the grader) and gives `helpers.checks` a
   private copy of what its comparisons call (`frozen_checkers`);
2. notes the state the tests rely on: builtins, those modules and their classes, `sys.modules`
   (`pipeline.integrity`);
3. adds an audit hook, which Python never removes, that refuses the ways a submission could
   reach into the grading: frames of a running test, the garbage collector's object graph, ctypes,
   its own process memory, more audit hooks (`pipeline.integrity.audit_hook`);
4. connects to the grader over a Unix socket of its own and sends it a fresh key; then starts
   the thread that runs graded test cells (`serve`), and IPython.

The grader sends each graded test cell over that socket, not to IPython: it runs as plain Python,
in a thread of its own, on a copy of the notebook's namespace, after the integrity check has put
back whatever the submission changed. The answer (passed, the check's failure message, or
"tampered" with the reason) goes back signed with the key, which no code of the submission can
read. So input and AST transformers, IPython's events and hooks, exception handlers, display
hooks, trace functions and IPython's history never see or touch a test.

Everything the thread and the hook call is bound once here, at start: a submission may replace
module attributes, builtins and Python classes later, but not what these functions already hold.
"""

from __future__ import annotations

import os
import sys

SOCKET_VARIABLE = "COURSE_GUARD_SOCKET"  # where the grader listens for this kernel
MODULES_VARIABLE = "COURSE_TRUSTED_MODULES"  # what the week's tests import, comma-separated
TIMEOUT_VARIABLE = "COURSE_CELL_TIMEOUT"
PASSED, FAILED, TAMPERED, STOPPED = b"P", b"F", b"T", b"S"
NONCE = 16  # bytes at the start of every message: a request's id, echoed by its answer


def main(argv: list[str]) -> None:
    path = os.environ.pop(SOCKET_VARIABLE, "")
    modules = [name for name in os.environ.pop(MODULES_VARIABLE, "").split(",") if name]
    timeout = float(os.environ.pop(TIMEOUT_VARIABLE, "90"))
    import _thread

    from ipykernel.kernelapp import IPKernelApp

    if not path:  # not started by the grader: an ordinary kernel
        IPKernelApp.launch_instance(argv=argv)
        return
    from pipeline import integrity

    integrity.not_dumpable()
    integrity.import_all(["helpers", "helpers.checks", "numpy", *modules])
    private = frozen_checkers()
    restore, threads = integrity.watch(["helpers", "numpy", *modules], private)
    graded = []  # the threads running a graded test now
    refused = integrity.audit_hook(integrity.file_judge(), graded)
    connection, key = connect(path)
    app = IPKernelApp.instance()
    app.initialize(argv)
    registered = ipython_hooks(app.shell, app.kernel, integrity.file_judge())
    serve = server(connection, key, app.shell.user_ns, restore, threads, refused, registered, graded, timeout)
    _thread.start_new_thread(serve, ())
    app.start()


def frozen_checkers() -> dict[str, dict]:
    """`helpers.checks`' functions, rebuilt over a private copy of their module's namespace whose
    `np`, `math` and builtins are snapshots: what they call can't be replaced from outside. Returns
    those namespaces ({label: dict}), for the integrity check to keep as they are (a function's
    `__globals__` reaches them)."""
    import builtins
    import math
    import types

    import numpy

    import helpers
    import helpers.checks as checks

    private = dict(vars(checks))
    private["__builtins__"] = dict(vars(builtins))
    private["np"] = types.SimpleNamespace(**vars(numpy))
    private["math"] = types.SimpleNamespace(**vars(math))
    private["sys"] = types.SimpleNamespace(modules={})
    torch = sys.modules.get("torch")
    private["TENSOR"] = torch._C.TensorBase if torch is not None else None
    rebuilt = {}
    for name, value in vars(checks).items():
        if isinstance(value, types.FunctionType) and value.__module__ == checks.__name__:
            copy = types.FunctionType(value.__code__, private, value.__name__, value.__defaults__,
                                      value.__closure__)
            copy.__kwdefaults__, copy.__qualname__, copy.__doc__ = (value.__kwdefaults__, value.__qualname__,
                                                                    value.__doc__)
            copy.__module__ = value.__module__
            rebuilt[name] = copy
    private.update(rebuilt)
    for module in (checks, helpers):
        for name, value in list(vars(module).items()):
            if name in rebuilt and value is getattr(checks, name):
                setattr(module, name, rebuilt[name])
    return {"the checkers' namespace": private, "the checkers' builtins": private["__builtins__"],
            "the checkers' numpy": vars(private["np"]), "the checkers' math": vars(private["math"])}


def connect(path: str):
    """A connection to the grader, which learns this kernel's key before any cell runs."""
    import socket

    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.connect(path)
    key = os.urandom(32)
    connection.sendall(key)
    return connection, key


def ipython_hooks(shell, kernel, trusted):
    """`registered()`: the places where the notebook put code of its own into IPython or the kernel
    (transformers of its input, events, exception handlers, display and except hooks, the kernel's
    handlers). None of them touches a graded test, which runs outside IPython: finding one names
    a notebook that tried."""
    import functools
    import types

    function, method, partial, type_, vars_, isinstance_ = (types.FunctionType, types.MethodType,
                                                             functools.partial, type, vars, isinstance)
    system, modules = sys, sys.modules

    def of_submission(thing) -> bool:
        kind = type_(thing)
        if kind is method:
            return of_submission(thing.__func__)
        if kind is partial:
            return of_submission(thing.func)
        if kind is function:
            return not trusted(thing.__code__.co_filename)
        owner = thing if isinstance_(thing, type_) else kind
        if owner.__module__ == "__main__":  # a class a cell defined
            return True
        file = getattr(modules.get(owner.__module__), "__file__", None)
        return type_(file) is str and not trusted(file)  # compiled functions and types have none

    def registered() -> list[str]:
        places = {
            "input transformers": [*shell.input_transformer_manager.cleanup_transforms,
                                   *shell.input_transformer_manager.line_transforms,
                                   *shell.input_transformer_manager.token_transformers,
                                   *shell.input_transformers_post],
            "AST transformers": shell.ast_transformers,
            "events": [callback for callbacks in shell.events.callbacks.values() for callback in callbacks],
            "display or except hooks": [system.displayhook, system.excepthook, shell.displayhook],
            "IPython's methods": [value for value in vars_(shell).values() if callable(value)],
            "the kernel's handlers": [*kernel.shell_handlers.values(), *kernel.control_handlers.values(),
                                      *(value for value in vars_(kernel).values() if callable(value))],
        }
        found = [place for place, things in places.items() if any(of_submission(thing) for thing in things)]
        if shell.custom_exceptions:  # IPython's wrapper holds the notebook's handler: its own code
            found.append("exception handlers")
        return [f"the notebook put code of its own into {', '.join(found)}"] if found else []

    return registered


def server(connection, key: bytes, namespace: dict, restore, threads, refused, registered, graded: list,
           timeout: float):
    """The loop of the thread that runs graded test cells; everything it calls is bound here, now."""
    import _socket
    import _thread
    import builtins
    import ctypes
    from _hashlib import hmac_digest

    import helpers.checks

    recv, sendall = _socket.socket.recv, _socket.socket.sendall
    start_thread, get_ident, allocate_lock = (_thread.start_new_thread, _thread.get_ident,
                                              _thread.allocate_lock)
    async_exception = ctypes.pythonapi.PyThreadState_SetAsyncExc
    async_exception.argtypes = (ctypes.c_ulong, ctypes.py_object)
    compile_, exec_, dict_, type_, len_, str_, id_ = compile, exec, dict, type, len, str, id
    int_from, int_to, join = int.from_bytes, int.to_bytes, "; ".join
    BaseException_, TimeoutError_ = BaseException, TimeoutError
    name_of = type.__dict__["__name__"].__get__
    builtin_errors = {id(value) for value in vars(builtins).values()
                      if isinstance(value, type) and issubclass(value, BaseException)}
    check_failure, assertion = helpers.checks.fail.__code__, AssertionError
    nonce_length, passed, failed, tampered, stopped = NONCE, PASSED, FAILED, TAMPERED, STOPPED

    def read(count: int) -> bytes:
        data = b""
        while len_(data) < count:
            chunk = recv(connection, count - len_(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def send(body: bytes) -> None:
        message = hmac_digest(key, body, "sha256") + body
        sendall(connection, int_to(len_(message), 4, "big") + message)

    def raised_by_a_check(error) -> bool:
        trace = error.__traceback__
        while trace is not None and trace.tb_next is not None:
            trace = trace.tb_next
        return trace is not None and trace.tb_frame.f_code is check_failure

    def describe(error) -> tuple[bytes, str]:
        """The error a test raised, as the student may see it: a check's own message; for any other
        error its type and, for Python's own errors, the plain words it came with."""
        kind = type_(error)
        if kind is assertion and raised_by_a_check(error):
            return failed, f"AssertionError\0{error.args[0]}"
        if id_(kind) in builtin_errors:
            words = [str_(arg) for arg in error.args if type_(arg) is str_ or type_(arg) is int]
            return failed, f"{name_of(kind)}\0{' '.join(words)} (raised in your code, not by a check)"
        return failed, "Exception\0an error of a type your code defines"

    def run_test(source: str) -> tuple[bytes, str]:
        """`source` run in a new thread on a copy of the namespace, for at most `timeout` s."""
        scope = dict_(namespace)
        scope["__builtins__"] = builtins
        outcome, done = [], allocate_lock()
        done.acquire()

        def body():
            graded.append(get_ident())  # before any code of the test: the audit hook knows this thread
            try:
                exec_(compile_(source, "<graded test>", "exec"), scope)
                outcome.append((passed, ""))
            except BaseException_ as error:  # noqa: BLE001 - a test's verdict is whatever it raised
                outcome.append(describe(error))
            finally:
                done.release()

        ident = start_thread(body, ())
        if done.acquire(True, timeout):
            del graded[:]
            return outcome[0]
        for _ in range(50):  # an exception raised in the test's own thread stops Python code
            async_exception(ident, TimeoutError_)
            if done.acquire(True, 0.1):
                del graded[:]
                return stopped, "stopped"
        return stopped, "still running"

    def serve() -> None:
        while True:
            try:
                message = read(int_from(read(4), "big"))
            except (EOFError, OSError):
                return
            nonce, source = message[:nonce_length], message[nonce_length:].decode("utf-8")
            reasons = restore() + threads(graded) + refused() + registered()
            if reasons:
                send(nonce + tampered + join(reasons).encode("utf-8"))
                continue
            verdict, said = run_test(source)
            reasons = restore() + threads(graded) + refused() + registered()
            if reasons:
                verdict, said = tampered, join(reasons)
            send(nonce + verdict + said.encode("utf-8"))

    return serve


if __name__ == "__main__":
    main(sys.argv[1:])
