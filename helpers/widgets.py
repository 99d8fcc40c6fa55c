"""Sliders for a figure in JupyterLab; the same figure, drawn once, where nothing can slide.

    from helpers.widgets import explore

    def show_threshold(threshold=0.5):
        plt.imshow(image > threshold, cmap="gray")
        plt.show()

    explore(show_threshold, threshold=(0.0, 1.0, 0.05))

In a live notebook `explore` is `ipywidgets.interact`. A static page (the book) has no kernel behind
its sliders, so there `explore` draws the figure for each value of `static` (default: the
function's default arguments) instead. The book build sets ``COURSE_STATIC_FIGURES=1``.
"""

from __future__ import annotations

import inspect
import os

STATIC_VARIABLE = "COURSE_STATIC_FIGURES"


def static() -> bool:
    return os.environ.get(STATIC_VARIABLE) == "1"


def explore(draw, static_values: list[dict] | None = None, **controls):
    """`interact(draw, **controls)` in JupyterLab; `draw(**values)` for each of `static_values` elsewhere."""
    if not static():
        from ipywidgets import interact

        interact(draw, **controls)  # returns `draw`: a cell ending here would print it
        return None
    defaults = {name: parameter.default for name, parameter in inspect.signature(draw).parameters.items()
                if parameter.default is not inspect.Parameter.empty}
    for values in static_values or [{}]:
        draw(**{**defaults, **values})
    return None
