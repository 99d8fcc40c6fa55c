"""Lecture cells that use an exercise's answer, and what they say while it is not written yet.

    with needs("simulate_walks", "walks"):
        plt.plot(walks.T)
        plt.show()

Once the exercises are solved the block runs as if the `with` line were not there. Before that,
the starter code of an exercise (`raise NotImplementedError()`, as the student notebook gives it)
stops the block, or a name that an exercise's cell defines does not exist yet; then the cell
prints one line naming what to write and ends without an error, so "Run All" goes on to the next
exercise. Anything else, a `NotImplementedError` raised elsewhere included, keeps its traceback.

Where every exercise is solved (the reference run, the book) a guard that fires is a bug: with
``COURSE_GUARDS_STRICT=1`` it re-raises instead of printing.
"""

from __future__ import annotations

import linecache
import os
from contextlib import contextmanager

STARTER = "raise NotImplementedError()"  # the line nbgrader puts where a solution goes
STRICT_VARIABLE = "COURSE_GUARDS_STRICT"


@contextmanager
def needs(*names: str):
    """Run the block; if it stops at unwritten starter code, name it in one line instead of a traceback.

    `names`: the names the exercises' cells define that the block uses (a missing one is reported
    as unwritten, any other missing name is an error).
    """
    try:
        yield
    except NotImplementedError as error:
        where = _starter_code(error)
        if where is None or _strict():
            raise
        print(_message(where))
    except NameError as error:
        if error.name not in names or _strict():
            raise
        print(_message(error.name))


def _strict() -> bool:
    return os.environ.get(STRICT_VARIABLE) == "1"


def _starter_code(error: BaseException) -> str | None:
    """The function whose starter line raised `error` (`Value.__mul__._backward`), else None."""
    frame = error.__traceback__
    while frame.tb_next:
        frame = frame.tb_next
    code = frame.tb_frame.f_code
    if linecache.getline(code.co_filename, frame.tb_lineno).strip() != STARTER or code.co_name == "<module>":
        return None
    return code.co_qualname.replace(".<locals>", "")


def _message(name: str) -> str:
    return f"Run this cell again after you write `{name}` above: it uses your answer."
