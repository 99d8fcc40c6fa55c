"""Lecture cells that use an exercise's answer, and what they say while it is not written yet.

    with needs("random_walk"):
        plt.plot(random_walk(100))
        plt.show()

Once `random_walk` is solved the block runs as if the `with` line were not there. Before that,
the starter code raises `NotImplementedError` (or a name the exercise defines does not exist yet,
because its cell stopped early); then the cell prints one line saying what to solve and ends
without an error, so "Run All" goes on to the next exercise. Any other error is the student's to
see, with its traceback.
"""

from __future__ import annotations

from contextlib import contextmanager


@contextmanager
def needs(exercise: str, *defined: str):
    """Run the block; if it stops at the unsolved `exercise` (or at a missing name of `defined`,
    which that exercise's cell creates), say so in one line instead of a traceback."""
    try:
        yield
    except NotImplementedError:
        print(_message(exercise))
    except NameError as error:
        if error.name not in (exercise, *defined):
            raise
        print(_message(exercise))


def _message(exercise: str) -> str:
    return f"Run this cell again after you solve `{exercise}` above: it uses your answer."
