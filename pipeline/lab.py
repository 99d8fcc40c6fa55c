"""The students' JupyterLab: nbgrader's Validate button, none of its instructor tools.

`python3 course.py build` turns off, in this environment only, nbgrader's Formgrader, Course List
and Create Assignment (their Lab plugins and server parts). Instructors grade with `course.py`;
to get those tools back in Lab: `python3 course.py lab --instructor`. In a student's own
environment (`pip install -e ".[student]"`, without the course's build tools):
`python -m pipeline.lab`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ETC = Path(sys.prefix) / "etc" / "jupyter"
PLUGINS = [f"@jupyter/nbgrader:{name}" for name in ("formgrader", "course-list", "create-assignment")]
SERVER_PARTS = ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"]


def configure(instructor: bool = False, etc: Path = ETC) -> None:
    """Turn the instructor tools off (students) or on (`instructor`) in this environment's Lab."""
    page = etc / "labconfig" / "page_config.json"
    _update(page, lambda config: config.setdefault("disabledExtensions", {}).update(
        {plugin: not instructor for plugin in PLUGINS}))
    server = etc / "jupyter_server_config.d" / "nbgrader.json"
    _update(server, lambda config: config.setdefault("ServerApp", {}).setdefault(
        "jpserver_extensions", {}).update({part: instructor for part in SERVER_PARTS}))


def _update(file: Path, change) -> None:
    config = json.loads(file.read_text()) if file.exists() else {}
    change(config)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(config, indent=2) + "\n")


if __name__ == "__main__":
    configure()
    print("JupyterLab: nbgrader's instructor tools off (students' setup)")
