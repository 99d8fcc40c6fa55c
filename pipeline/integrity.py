"""Inside the sandbox kernel: what the tests rely on, kept as it was, and the audit hook.

`watch(prefixes)` notes, before any cell of the submission runs, the builtins, the modules the
tests import (and their submodules, and `helpers`), the classes those define, and `sys.modules`.
Before each graded test it puts back anything the submission replaced, and says what; after the
test it says what the test's run changed. Each namespace's dictionary carries a version number
that CPython changes on every write (PEP 509), read here through a ctypes view made at the start:
a namespace nobody wrote to is not compared again, so a check costs a few milliseconds.

`audit_hook(...)` adds a hook Python never removes. It refuses, to code of the submission, what
would reach into the grading: frames (`sys._getframe`, `inspect`, tracebacks, generators, other
threads'), the object graph (`gc.get_objects`, `get_referrers`, `get_referents`), ctypes, the
process's memory (/proc/*/mem), replacing a library function's code or defaults, and more audit
hooks. Code counts as the submission's when its file is outside Python, the environment and the
course's code; code without a file (`exec` of a string) counts as whoever ran it.

The functions here run while a submission may have changed module attributes and builtins: all
they call is bound when they are made, before any cell of the submission runs.
"""

from __future__ import annotations

import builtins
import ctypes
import gc
import importlib
import os
import sys
import types
import warnings

VERSION_OFFSET = 3 * 8  # PyDictObject in CPython 3.11: refcount, type, used, then ma_version_tag
TRAMPOLINES = {  # functions that hand frames to their caller: the caller decides
    "/inspect.py": {"currentframe", "stack", "trace", "getouterframes", "getinnerframes"},
    "/traceback.py": {"walk_stack", "walk_tb"},
    "/logging/__init__.py": {"<lambda>"},  # logging.currentframe
}
FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
CODE_ATTRIBUTES = frozenset({"__code__", "__defaults__", "__kwdefaults__"})
OBJECT_GRAPH = frozenset({"gc.get_objects", "gc.get_referrers", "gc.get_referents"})


def not_dumpable() -> None:
    """Other processes of the same user may not attach to this one or read its memory."""
    try:
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except (OSError, AttributeError):
        pass


def import_all(names: list[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module a test names but that fails: its test will say so
            pass


def trusted_roots() -> tuple[str, ...]:
    """Where the files of trusted code live: Python, the environment, the course's code."""
    import helpers
    import pipeline

    places = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(helpers.__file__),
              os.path.dirname(pipeline.__file__)}
    places |= {os.path.realpath(place) for place in places}
    return tuple(sorted(place.rstrip("/") + "/" for place in places))


def file_judge():
    """`trusted(filename)`: whether code from that file is Python's, the environment's or the course's."""
    roots, startswith = trusted_roots(), str.startswith

    def trusted(filename: str) -> bool:
        return startswith(filename, roots) or startswith(filename, "<frozen ")

    return trusted


def frame_judge(trusted):
    """`from_submission(frame)`: whether the code running in `frame` acts for the submission."""
    startswith, endswith = str.startswith, str.endswith
    trampolines = tuple((suffix, frozenset(names)) for suffix, names in TRAMPOLINES.items())

    def passes_frames_on(name: str, function: str) -> bool:
        for suffix, names in trampolines:
            if function in names and endswith(name, suffix):
                return True
        return False

    def from_submission(frame) -> bool:
        while frame is not None:
            code = frame.f_code
            name = code.co_filename
            anonymous = startswith(name, "<") and not startswith(name, "<frozen ")
            if not anonymous and not (trusted(name) and passes_frames_on(name, code.co_name)):
                return not trusted(name)
            frame = frame.f_back
        return False

    return from_submission


def audit_hook(trusted, graded: list):
    """Add the hook; returns `take()`, which empties the record of what it refused into reasons.
    `graded` holds the threads that run a graded test now: there a trace function is refused too
    (elsewhere it is only noted: a trace function sees only its own thread)."""
    import _thread

    from_submission = frame_judge(trusted)
    get_frame, get_ident = sys._getframe, _thread.get_ident
    realpath, basename = os.path.realpath, os.path.basename
    isinstance_, str_, bytes_, function_type, error = isinstance, str, bytes, types.FunctionType, RuntimeError
    watched, frame_attributes, code_attributes = WATCHED, FRAME_ATTRIBUTES, CODE_ATTRIBUTES
    said = {"sys._getframe": "frames of running code (sys._getframe)",
            "sys._current_frames": "frames of running code (sys._current_frames)",
            "sys.addaudithook": "another audit hook"}
    refused, busy = [], set()

    def refuse(what: str):
        refused.append(what)
        raise error(f"not allowed while grading: {what}")

    def hook(event: str, args: tuple) -> None:
        if event not in watched and event[:7] != "ctypes.":
            return
        thread = get_ident()
        if thread in busy:
            return
        busy.add(thread)
        try:
            caller = get_frame(1)
            if event == "open":
                path = args[0]
                if isinstance_(path, bytes_):
                    path = path.decode(errors="replace")
                if isinstance_(path, str_) and (basename(path) == "mem" or basename(realpath(path)) == "mem"):
                    refuse("a process's memory (/proc/*/mem)")
            elif event == "object.__getattr__":
                if args[1] in frame_attributes and from_submission(caller):
                    refuse(f"frames of running code (.{args[1]})")
            elif event in ("object.__setattr__", "object.__delattr__"):
                target = args[0]
                if (isinstance_(target, function_type) and args[1] in code_attributes
                        and trusted(target.__code__.co_filename) and from_submission(caller)):
                    refuse(f"a change of {args[1]} of {target.__qualname__}")
            elif event[:7] == "ctypes.":
                while caller is not None and "/ctypes/" in caller.f_code.co_filename:
                    caller = caller.f_back
                if from_submission(caller):
                    refuse("ctypes")
            elif event in ("sys.settrace", "sys.setprofile"):
                if from_submission(caller):
                    refused.append(f"a {event[4:]} function")
                    if thread in graded:
                        refuse(f"a {event[4:]} function")
            elif from_submission(caller):
                refuse(said.get(event, f"the object graph ({event})"))
        finally:
            busy.discard(thread)

    sys.addaudithook(hook)

    def take() -> list[str]:
        taken = [f"the notebook tried to use {what}" for what in refused]
        del refused[:]
        return taken

    return take


WATCHED = frozenset({"open", "object.__getattr__", "object.__setattr__", "object.__delattr__",
                     "sys._getframe", "sys._current_frames", "sys.addaudithook", "sys.settrace",
                     "sys.setprofile", *OBJECT_GRAPH})


def kept(namespace: dict) -> dict:
    """What of a namespace the tests call: its functions and classes, and its public modules."""
    return {name: value for name, value in namespace.items() if type(name) is str and (
        callable(value) or (isinstance(value, types.ModuleType) and not name.startswith("_")))}


def watch(prefixes: list[str], private: dict[str, dict] | None = None):
    """What the tests rely on, noted now: the modules under `prefixes`, builtins, and `private`
    namespaces ({label: dict}) that nothing may change. Returns `restore()` (put back what was
    replaced; what it was) and `threads()` (whether code of the submission runs in another thread)."""
    with warnings.catch_warnings():  # looking at a deprecated attribute warns
        warnings.simplefilter("ignore")
        return _watch(prefixes, private or {})


def _watch(prefixes: list[str], private: dict[str, dict]):
    tops = {prefix.split(".")[0] for prefix in prefixes}
    modules = {name: module for name, module in sys.modules.items()
               if module is not None and name.split(".")[0] in tops}
    spaces = [("builtins", vars(builtins))]
    spaces += [(name, vars(module)) for name, module in sorted(modules.items())]
    classes = {value for _, namespace in spaces[1:] for value in kept(namespace).values()
               if isinstance(value, type) and not value.__flags__ & (1 << 8)  # Py_TPFLAGS_IMMUTABLETYPE
               and str(getattr(value, "__module__", "")).split(".")[0] in tops}
    spaces += [(f"{cls.__module__}.{cls.__qualname__}", gc.get_referents(cls.__dict__)[0])
               for cls in sorted(classes, key=lambda cls: (cls.__module__, cls.__qualname__))]
    spaces += list(private.items())
    read = ctypes._SimpleCData.__dict__["value"].__get__  # compiled: no class of Python's can shadow it
    watched = []
    for label, namespace in spaces:
        version = ctypes.c_uint64.from_address(id(namespace) + VERSION_OFFSET)
        strict = label == "builtins" or label.split(".")[0] == "helpers" or label in private
        watched.append([label, namespace, kept(namespace), version, read(version), strict])
    trusted = file_judge()
    return _restorer(watched, dict(modules), tops, read, trusted), _thread_watcher(trusted)


def _restorer(watched: list, modules: dict, tops: set, read, trusted):
    """`restore()`. Builtins and `helpers` never change while grading: any change is put back. A
    library may change itself (torch wraps an optimizer's `step` the first time it is used): a
    change there is kept when the new value is the library's own code under the same name, and
    put back when it is the notebook's code or another function."""
    system_modules, missing, len_, type_, getattr_, isinstance_ = sys.modules, object(), len, type, getattr, \
        isinstance
    function, module_type = types.FunctionType, types.ModuleType

    def real_module(module) -> bool:
        file = getattr_(module, "__file__", None)
        return type_(module) is module_type and (file is None or (type_(file) is str and trusted(file)))

    def the_librarys_own(name: str, value) -> bool:
        if type_(value) is module_type:
            return True
        if type_(value) is function and not trusted(value.__code__.co_filename):
            return False
        owner = value if isinstance_(value, type_) else type_(value)
        if owner.__module__ == "__main__":
            return False
        return getattr_(value, "__name__", name) == name

    def restore() -> list[str]:
        changed = []
        for space in watched:
            label, namespace, kept_values, version, seen, strict = space
            if read(version) == seen:
                continue
            for name, value in kept_values.items():
                now = namespace.get(name, missing)
                if now is value:
                    continue
                if not strict and now is not missing and the_librarys_own(name, now):
                    kept_values[name] = now
                    continue
                namespace[name] = value
                changed.append(f"{label}.{name}")
            space[4] = read(version)
        for name, module in modules.items():
            if system_modules.get(name) is not module:
                system_modules[name] = module
                changed.append(f"sys.modules[{name!r}]")
        for name, module in list(system_modules.items()):  # one imported later must be a real one
            if name not in modules and name.split(".")[0] in tops and not real_module(module):
                del system_modules[name]
                changed.append(f"sys.modules[{name!r}]")
        if not changed:
            return []
        more = f" and {len_(changed) - 5} more" if len_(changed) > 5 else ""
        return [f"the notebook replaced {', '.join(changed[:5])}{more}"]

    return restore


def _thread_watcher(trusted):
    import _thread

    get_ident, current_frames, startswith = _thread.get_ident, sys._current_frames, str.startswith

    def threads(exempt=()) -> list[str]:
        """Code of the submission running in a thread other than this one and `exempt`."""
        mine = get_ident()
        for ident, frame in current_frames().items():
            if ident == mine or ident in exempt:
                continue
            while frame is not None:
                name = frame.f_code.co_filename
                if not startswith(name, "<") and not trusted(name):
                    return ["code of the notebook was running in another thread while a test ran"]
                frame = frame.f_back
        return []

    return threads
