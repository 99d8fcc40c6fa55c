"""Small checks for the exercises' tests, with messages a student can act on.

A failing check raises `AssertionError` that says what was checked, what was expected, what came
and, where given, a hint:

    check(create_dataset(3), [(0, 0), (1, 2), (2, 4)], "create_dataset(3)",
          hint="pairs (x, 2x) for x = 0, 1, ..., n-1")

The comparisons use compiled functions only (NumPy's `asarray` and ufuncs, `math.isclose`, torch's
own tensor methods): while grading, the sandbox kernel keeps a private copy of these functions that
a submission's code can't replace (`pipeline/kernel.py`).
"""

from __future__ import annotations

import math
import sys

import numpy as np

TENSOR = None  # torch's compiled tensor type, fixed while grading; else looked up when needed


def _tensor_type():
    torch = sys.modules.get("torch")
    return TENSOR or (torch._C.TensorBase if torch is not None else None)


def _plain(value):
    """Tensors to NumPy, so one comparison serves them all."""
    tensor = _tensor_type()
    if tensor is not None and isinstance(value, tensor):
        return tensor.numpy(tensor.cpu(tensor.detach(value)))
    return value


def _close(actual, expected, tol: float) -> bool:
    """|actual - expected| <= tol + tol * |expected|, everywhere (NaN is never close)."""
    difference = np.abs(np.subtract(actual, expected, dtype=float))
    return bool(np.less_equal(difference, tol + tol * np.abs(expected)).all())


def _short(value, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + " ...]"


def _same(actual, expected, tol: float | None) -> bool:
    actual, expected = _plain(actual), _plain(expected)
    if isinstance(expected, np.ndarray) or isinstance(actual, np.ndarray):
        try:
            a, e = np.asarray(actual), np.asarray(expected)
        except (TypeError, ValueError):
            return False
        if a.shape != e.shape:
            return False
        if tol is None:
            return bool(np.equal(a, e).all())
        try:
            return _close(a, e, tol)
        except (TypeError, ValueError):
            return False
    if isinstance(expected, float) or (tol is not None and isinstance(expected, int)):
        if not _is_number(actual):
            return False
        return math.isclose(float(actual), float(expected), rel_tol=tol or 1e-9, abs_tol=tol or 1e-12)
    if isinstance(expected, (list, tuple)) and tol is not None:
        return (type(actual) is type(expected) and len(actual) == len(expected)
                and all(_same(a, e, tol) for a, e in zip(actual, expected, strict=True)))
    if _is_number(expected) and _is_number(actual):
        return bool(actual == expected)
    return type(actual) is type(expected) and bool(actual == expected)


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))


def fail(what: str, expected=None, actual=None, hint: str | None = None, *, show=True):
    lines = [what]
    if show:
        lines += [f"  expected: {_short(expected)}", f"  got:      {_short(actual)}"]
    if hint:
        lines.append(f"  hint: {hint}")
    raise AssertionError("\n".join(lines))


def check(actual, expected, what: str, hint: str | None = None, tol: float | None = None):
    """Pass when `actual` equals `expected` (within `tol` for numbers and arrays)."""
    if not _same(actual, expected, tol):
        fail(what, expected, actual, hint)


def check_that(condition, what: str, hint: str | None = None):
    """Pass when `condition` is true; `what` says what should have held."""
    if not condition:
        fail(what, hint=hint, show=False)


def check_type(value, kind, what: str, hint: str | None = None):
    """Pass when `value` is an instance of `kind` (a type or a tuple of types)."""
    if not isinstance(value, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        fail(f"{what} should be a {names}", names, type(value).__name__, hint)


def check_choice(answer, options: str, what: str):
    """A multiple-choice answer must be one letter of `options`, e.g. "ABCD"."""
    if not (isinstance(answer, str) and len(answer.strip()) == 1 and answer.strip().upper() in options):
        fail(f"{what}: answer with one letter of {', '.join(options)} as a string, e.g. \"{options[0]}\"",
             show=False)


def check_like_torch(value_class, build, inputs, case: str, tol: float = 1e-9):
    """`build` gives the same value and gradients on `value_class` leaves as on float64 torch tensors.

    `build(*leaves)` must return one node; the check runs `backward()` on both results.
    """
    import torch

    mine = [value_class(float(v)) for v in inputs]
    out = build(*mine)
    out.backward()
    theirs = [torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in inputs]
    expected = build(*theirs)
    expected.backward()
    check(out.data, expected.item(), f"{case}: value", tol=tol)
    for i, (leaf, tensor) in enumerate(zip(mine, theirs, strict=True)):
        check(leaf.grad, tensor.grad.item(), f"{case}: gradient of input {i}", tol=tol)
    check(out.grad, 1.0, f"{case}: the root's own gradient is 1.0")
