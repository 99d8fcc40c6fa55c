"""A classroom: who is in it (the roster) and where its shared folders are, from `_config.yml`.

    course:
      classroom:
        roster: roster.csv        # id,role,first_name,last_name,email; role: student or instructor
        folder: /srv/deep-learning  # the exchange, the hub's state, each role's Jupyter settings
        homes: /home              # one home per student, created by `course.py hub`
        port: 8000                # where students open the hub
        due: {week01: "2026-10-12 23:59:00 Europe/Sofia"}   # nbgrader's due dates, for lateness

A course without this section has no classroom: nothing goes to an exchange and `course.py hub`
says how to make one. Roster ids are the students' login names and their system accounts, so
they must be valid user names; the roster holds student data and is never committed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.course import COURSE_ID, Course

ROLES = ("student", "instructor")
COLUMNS = ("id", "role", "first_name", "last_name", "email")
USER_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")  # what useradd accepts everywhere
EXAMPLE_ROSTER = """id,role,first_name,last_name,email
teacher,instructor,Grace,Hopper,grace@example.org
ada,student,Ada,Lovelace,ada@example.org
alan,student,Alan,Turing,alan@example.org
"""
EXAMPLE_SETTINGS = """  # A classroom on JupyterHub, python3 course.py hub (README: Teach a class...)
  classroom:
    roster: roster.csv
    folder: /srv/deep-learning
    homes: /home
    port: 8000
"""


class RosterError(ValueError):
    """The roster can't be used as it is; the message names the line and the fix."""


@dataclass(frozen=True)
class Member:
    id: str
    role: str = "student"
    first_name: str = ""
    last_name: str = ""
    email: str = ""


@dataclass(frozen=True)
class Classroom:
    course: Course
    roster_file: Path
    folder: Path
    homes: Path
    port: int = 8000
    due: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def of(course: Course) -> Classroom | None:
        """The course's classroom, or None when `_config.yml` configures none."""
        settings = course.settings.get("classroom")
        if not settings:
            return None
        return Classroom(course, course.root / settings.get("roster", "roster.csv"),
                         Path(settings.get("folder", f"/srv/{COURSE_ID}")),
                         Path(settings.get("homes", "/home")), int(settings.get("port", 8000)),
                         {str(week): str(when) for week, when in (settings.get("due") or {}).items()})

    # the shared folders
    exchange = property(lambda self: self.folder / "exchange")  # nbgrader's, writable by everyone
    state = property(lambda self: self.folder / "hub")  # JupyterHub's database, secrets, passwords
    settings_of = property(lambda self: self.folder / "jupyter")  # one Jupyter settings folder per role

    def home(self, student: str) -> Path:
        return self.homes / student

    # who is in it
    def roster(self) -> list[Member]:
        """Everyone on the roster, checked: valid and unique ids, known roles, an instructor."""
        if not self.roster_file.is_file():
            raise RosterError(f"no roster: write {self.roster_file} (columns {','.join(COLUMNS)}), or run "
                              "`python3 course.py hub --init` for an example")
        members = read_roster(self.roster_file)
        if not any(member.role == "instructor" for member in members):
            raise RosterError(f"{self.roster_file}: no instructor (a line with role `instructor`)")
        return members

    def students(self) -> list[str]:
        return [member.id for member in self.roster() if member.role == "student"]

    def instructors(self) -> list[str]:
        return [member.id for member in self.roster() if member.role == "instructor"]


def read_roster(file: Path) -> list[Member]:
    with open(file, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    members, seen = [], set()
    for line, row in enumerate(rows, start=2):
        values = {column: (row.get(column) or "").strip() for column in COLUMNS}
        member = Member(**{**values, "role": values["role"] or "student"})
        problem = _problem(member, seen)
        if problem:
            raise RosterError(f"{file}, line {line}: {problem}")
        seen.add(member.id)
        members.append(member)
    return members


def _problem(member: Member, seen: set[str]) -> str:
    if not USER_NAME.match(member.id):
        return (f"the id {member.id!r} is not a user name (lowercase letters, digits, _ and -, "
                "starting with a letter, at most 32): it becomes the student's login and account")
    if member.id in seen:
        return f"{member.id} is listed twice"
    if member.role not in ROLES:
        return f"the role {member.role!r} is neither student nor instructor"
    return ""
