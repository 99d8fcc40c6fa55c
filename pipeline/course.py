"""One course: its folder, its weeks, its settings, and nbgrader's configuration for it.

    course = Course.here()                 # the course this code belongs to (a copy has its own)
    course.weeks()                         # ['week01', ...]: every source/weekNN/weekNN.md
    course.released_files("week03")        # the files nbgrader releases beside the notebook
    course.nbgrader_config(settings)       # nbgrader's traitlets Config, built once per settings
    with course.gradebook() as gradebook:  # SQLite beside the course, or `course: db_url`
        ...

A week is its MyST file: the weeks, their titles and their files are read from `source/`, so a
new week needs no list updated by hand.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import yaml

IGNORED = [".ipynb_checkpoints", "*.pyc", "__pycache__", "*.md", ".*"]  # never released nor graded
CELL_TIMEOUT = 90  # seconds a cell may run; no cell of a reference solution needs more than 60
MEMORY_GB = 4.0  # memory one submission may use
WALL_LIMIT = 30 * 60  # seconds one submission may take, all cells together
TIMED_OUT = "This cell ran for more than {seconds:g} s and was stopped. An endless loop?"


@dataclass(frozen=True)
class Settings:
    """What a grading run enforces; the messages students and instructors read are built from it."""

    cell_timeout: int = CELL_TIMEOUT
    memory_gb: float = MEMORY_GB
    wall_limit: int = WALL_LIMIT

    @property
    def timeout_message(self) -> str:
        return TIMED_OUT.format(seconds=self.cell_timeout)


@dataclass(frozen=True)
class Course:
    root: Path

    def __post_init__(self):
        object.__setattr__(self, "root", Path(self.root).resolve())

    @staticmethod
    @cache
    def here() -> Course:
        """The course whose `pipeline/` this is."""
        return Course(Path(__file__).resolve().parent.parent)

    # folders
    source = property(lambda self: self.root / "source")
    release = property(lambda self: self.root / "release")
    submitted = property(lambda self: self.root / "submitted")
    autograded = property(lambda self: self.root / "autograded")
    feedback = property(lambda self: self.root / "feedback")
    reader = property(lambda self: self.root / "reader")
    build = property(lambda self: self.root / "_build")

    # weeks
    def weeks(self) -> list[str]:
        """Names of the weeks that have a MyST source, e.g. ['week01', 'week02']."""
        return sorted(md.stem for md in self.source.glob("week*/week*.md") if md.stem == md.parent.name)

    def source_md(self, week: str) -> Path:
        return self.source / week / f"{week}.md"

    def source_notebook(self, week: str) -> Path:
        return self.source / week / f"{week}.ipynb"

    def release_notebook(self, week: str) -> Path:
        return self.release / week / f"{week}.ipynb"

    def title(self, week: str) -> str:
        """'Week 04 - Convolutional Neural Networks...': the first heading of the week's source."""
        lines = self.source_md(week).read_text(encoding="utf-8").splitlines()
        return next(line[2:].strip() for line in lines if line.startswith("# "))

    def released_files(self, week: str) -> dict[str, Path]:
        """{path inside the week's folder: file} of what nbgrader releases (and copies into every
        autograded folder) beside the notebook: all but the sources and what `IGNORED` names."""
        folder = self.source / week
        found = {}
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_file() and relative.name != f"{week}.ipynb" and not any(
                    fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in IGNORED):
                found[str(relative)] = path
        return found

    def students(self, week: str) -> list[str]:
        """Who handed in `week`: the folders submitted/<student>/<week>/."""
        if not self.submitted.is_dir():
            return []
        return sorted(folder.name for folder in self.submitted.iterdir() if (folder / week).is_dir())

    # settings
    @cached_property
    def settings(self) -> dict:
        """The `course:` section of `_config.yml` ({} when there is none)."""
        config = self.root / "_config.yml"
        loaded = yaml.safe_load(config.read_text(encoding="utf-8")) if config.is_file() else None
        return (loaded or {}).get("course") or {}

    @property
    def publish_solutions(self) -> bool:
        return bool(self.settings.get("publish_solutions"))

    @cached_property
    def gradebook_url(self) -> str:
        """`course: {db_url: postgresql://...}`, else SQLite beside the course. A plain `postgresql://`
        URL gets the driver the course installs (psycopg2): SQLAlchemy 2.1 would pick psycopg 3."""
        url = self.settings.get("db_url")
        if not url:
            return f"sqlite:///{self.root}/gradebook.db"
        scheme, _, rest = url.partition("://")
        return f"postgresql+psycopg2://{rest}" if scheme in ("postgresql", "postgres") else url

    def gradebook(self):
        """nbgrader's Gradebook of this course (a context manager)."""
        from nbgrader.api import Gradebook

        return Gradebook(self.gradebook_url, COURSE_ID)

    def nbgrader_config(self, settings: Settings | None = None):
        return _config(self, settings or Settings())

    def nbgrader(self, settings: Settings | None = None):
        """nbgrader's API (generate_assignment, autograde, generate_feedback, ...) for this course."""
        from nbgrader.apps import NbGraderAPI

        return NbGraderAPI(config=self.nbgrader_config(settings))


COURSE_ID = "deep-learning"


@cache
def _config(course: Course, settings: Settings):
    from traitlets.config import Config

    from pipeline.config import apply

    config = Config()
    apply(config, course, settings)
    return config
