"""Where things live in the course repository."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source"
RELEASE = ROOT / "release"
SUBMITTED = ROOT / "submitted"
AUTOGRADED = ROOT / "autograded"
FEEDBACK = ROOT / "feedback"
READER = ROOT / "reader"
BUILD = ROOT / "_build"


def weeks() -> list[str]:
    """Names of the weeks that have a MyST source, e.g. ['week01', 'week02']."""
    return sorted(md.stem for md in SOURCE.glob("week*/week*.md") if md.stem == md.parent.name)


def source_md(week: str) -> Path:
    return SOURCE / week / f"{week}.md"


def source_notebook(week: str) -> Path:
    return SOURCE / week / f"{week}.ipynb"


def release_notebook(week: str) -> Path:
    return RELEASE / week / f"{week}.ipynb"


def course_setting(name: str, root: Path = ROOT):
    """`name` in the `course:` section of `_config.yml` under `root` (None when it is not set)."""
    config = Path(root) / "_config.yml"
    settings = yaml.safe_load(config.read_text(encoding="utf-8")) if config.is_file() else None
    return ((settings or {}).get("course") or {}).get(name)
