"""Sphinx extension: the book's math renders without internet (MathJax 3 served by the site).

MathJax comes from the `sphinx-mathjax-offline` package; only the component the book uses (TeX in,
CHTML out) and its fonts are copied into `_static/mathjax/`, about 2 MB instead of 24.
"""

from __future__ import annotations

import shutil
from importlib.metadata import distribution
from pathlib import Path

COMPONENT = "tex-chtml.js"
FONTS = Path("output", "chtml", "fonts", "woff-v2")


def mathjax_folder() -> Path:
    return Path(distribution("sphinx-mathjax-offline").locate_file("sphinx-mathjax-offline/static/mathjax"))


def copy_mathjax(app, error) -> None:
    if error is not None:
        return
    source, target = mathjax_folder(), Path(app.outdir) / "_static" / "mathjax"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / COMPONENT, target / COMPONENT)
    shutil.copytree(source / FONTS, target / FONTS, dirs_exist_ok=True)


def setup(app):
    app.config.mathjax_path = f"mathjax/{COMPONENT}"
    app.connect("build-finished", copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
