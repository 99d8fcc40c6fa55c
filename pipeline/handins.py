"""Who handed in a week, how often and when, against its due date (`course.py report weekNN`).

nbgrader's rules, which the classroom keeps: every submission stays in the exchange, `collect`
takes each student's last one (it replaces an earlier one already collected), and the due date
in the gradebook, with any extension, makes it late by the seconds nbgrader computes; the late
penalty is nbgrader's (none unless configured). Due dates come from `_config.yml`
(`course: classroom: due: {week01: "2026-10-12 23:59:00 Europe/Sofia"}`) or from Formgrader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nbgrader.api import MissingEntry
from nbgrader.utils import parse_utc

from pipeline.classroom import Classroom, RosterError
from pipeline.course import Course


@dataclass
class HandIn:
    student: str
    submissions: int  # in the exchange, made by the student's account
    collected: bool  # submitted/<student>/<week>/ is there
    counted: datetime | None = None  # the collected one's time (UTC), if it has one (not from a zip)
    seconds_late: float = 0.0


def apply_due_dates(course: Course, classroom: Classroom) -> list[str]:
    """Write the classroom's due dates into the gradebook, for the weeks it knows; their names."""
    written = []
    with course.gradebook() as gradebook:
        for week, when in classroom.due.items():
            try:
                gradebook.find_assignment(week)
            except MissingEntry:
                continue
            gradebook.update_or_create_assignment(week, duedate=parse_utc(when))
            written.append(week)
    return written


def hand_ins(course: Course, week: str) -> list[HandIn]:
    """One line per student on the roster or with a collected hand-in of `week`."""
    classroom = Classroom.of(course)
    students = set(course.students(week))
    if classroom:
        try:
            students |= set(classroom.students())
        except RosterError:
            pass
    found = []
    with course.gradebook() as gradebook:
        for student in sorted(students):
            folder = course.submitted / student / week
            counted = _collected_at(folder)
            found.append(HandIn(student, _submissions(classroom, student, week), folder.is_dir(), counted,
                                _seconds_late(gradebook, week, student, counted)))
    return found


def due_date(course: Course, week: str) -> datetime | None:
    with course.gradebook() as gradebook:
        try:
            return gradebook.find_assignment(week).duedate
        except MissingEntry:
            return None


def print_hand_ins(week: str, rows: list[HandIn], due: datetime | None) -> None:
    print(f"{week} hand-ins ({f'due {due:%Y-%m-%d %H:%M:%S} UTC' if due else 'no due date'}):")
    for row in rows:
        print(f"  {row.student:12} {describe(row)}")


def describe(row: HandIn) -> str:
    if not row.collected:
        return f"nothing collected ({row.submissions} in the exchange: collect them)" if row.submissions \
            else "nothing handed in"
    if row.counted is None:
        return "collected, with no time of hand-in (an LMS zip)"
    when = f"{row.counted:%Y-%m-%d %H:%M:%S} UTC"
    count = f"{row.submissions} submissions, the last counts: " if row.submissions > 1 else ""
    late = f"late by {_duration(row.seconds_late)}" if row.seconds_late > 0 else "on time"
    return f"{count}{when}, {late}"


def _submissions(classroom: Classroom | None, student: str, week: str) -> int:
    from pipeline.exchange import submissions

    return len(submissions(classroom, student, week)) if classroom else 0


def _collected_at(folder: Path) -> datetime | None:
    stamp = folder / "timestamp.txt"
    if not stamp.is_file():
        return None
    return parse_utc(stamp.read_text().strip())


def _seconds_late(gradebook, week: str, student: str, counted: datetime | None) -> float:
    """nbgrader's own count (extensions included) once graded; before that, from the due date."""
    if counted is None:
        return 0.0
    try:
        return gradebook.find_submission(week, student).total_seconds_late
    except MissingEntry:
        pass
    try:
        due = gradebook.find_assignment(week).duedate
    except MissingEntry:
        return 0.0
    return max(0.0, (counted - due).total_seconds()) if due else 0.0


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [(days, "d"), (hours, "h"), (minutes, "min"), (seconds, "s")]
    return " ".join(f"{value} {unit}" for value, unit in parts if value) or "0 s"
