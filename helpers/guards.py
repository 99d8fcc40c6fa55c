"""Lecture cells that use an exercise's answer, and what they say while it is not written yet.

    with needs("simulate_walks", "walks"):
        plt.plot(walks.T)
        plt.show()

Once the exercises are solved the block runs as if the `with` line were not there. Before that,
a starter function raises `NotImplementedError` (or a name an exercise's cell defines does not
exist yet, because that cell stopped early); then the cell prints one line naming what to solve
and ends without an error, so "Run All" goes on to the next exercise. Any other error is the
student's to see, with its traceback.
"""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def needs(*names: str):
    """Run the block; if it stops at an unsolved exercise, name it in one line instead of a traceback.

    `names`: the exercises the block uses (functions, classes, `Class.method`) and the names their
    cells define. The message names the exercise whose starter code raised; a missing name only
    counts when it is one of `names`.
    """
    try:
        yield
    except NotImplementedError as error:
        print(_message(_raised_in(error, names) or names[0]))
    except NameError as error:
        if error.name not in names:
            raise
        print(_message(error.name))


def _raised_in(error: BaseException, names: tuple[str, ...]) -> str | None:
    """The exercise whose starter code raised `error`: the longest of `names` that holds the
    raising function (`Value` holds `Value.__mul__`), else that function's top-level function or
    class; None when a cell's top level raised."""
    frame = error.__traceback__
    while frame.tb_next:
        frame = frame.tb_next
    qualname = frame.tb_frame.f_code.co_qualname
    if qualname.startswith("<"):
        return None
    parts = qualname.split(".")
    holding = [name for name in names if parts[:name.count(".") + 1] == name.split(".")]
    return max(holding, key=len) if holding else parts[0]


def _message(name: str) -> str:
    return f"Run this cell again after you solve `{name}` above: it uses your answer."
