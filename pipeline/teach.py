"""The classroom's side of the course's commands (`course.py hub`, and `release`, `collect`,
`feedback` and `report` when `_config.yml` has a classroom): what they print, and how they fail.

Each prints one line per thing done and leaves with the message of an `ExchangeError` or
`RosterError`, which names the fix.
"""

from __future__ import annotations

import sys

from pipeline.classroom import Classroom
from pipeline.course import Course
from pipeline.exchange import ExchangeError


def hub(course: Course, init: bool, remove_accounts: bool, ip: str, port: int | None) -> None:
    """`course.py hub [--init | --remove-accounts]`."""
    from pipeline import accounts
    from pipeline import hub as classroom_hub

    if init:
        print("\n".join(classroom_hub.init(course)) or "the classroom is already configured")
        return
    classroom = classroom_hub.classroom_of(course)
    if remove_accounts:
        accounts.require_root("removing the students' accounts")
        removed = accounts.remove(classroom.students())
        print(f"accounts removed: {', '.join(removed) or 'none'} (their homes are kept)")
        return
    for line in classroom_hub.set_up(course, classroom):
        print(line, flush=True)
    classroom_hub.serve(course, classroom, ip, port or classroom.port)


def release_to_exchange(course: Course, weeks: list[str]) -> None:
    """Released weeks into the exchange (and the due dates into the gradebook), if a classroom."""
    from pipeline.exchange import release
    from pipeline.handins import apply_due_dates

    classroom = Classroom.of(course)
    if classroom is None:
        return
    try:
        for week in weeks:
            print(release(course, classroom, week))
    except ExchangeError as error:
        sys.exit(str(error))
    apply_due_dates(course, classroom)


def collect_from_exchange(course: Course, week: str) -> None:
    """`course.py collect weekNN --exchange`: what was collected, refused, late or handed in twice."""
    from pipeline.exchange import collect
    from pipeline.handins import apply_due_dates, describe, hand_ins
    from pipeline.hub import classroom_of

    classroom = classroom_of(course)
    try:
        result = collect(course, classroom, week)
    except ExchangeError as error:
        sys.exit(str(error))
    apply_due_dates(course, classroom)
    for problem in result.refused:
        print(f"not collected: {problem}")
    counted = {row.student: row for row in hand_ins(course, week)}
    for student in result.students:
        print(f"{student}: collected, {describe(counted[student])}")
    print(f"{week}: {len(result.students)} collected from the exchange into submitted/, "
          f"{len(result.unchanged)} unchanged")


def release_feedback(course: Course, week: str) -> None:
    """`course.py feedback weekNN --release`: feedback/ into the exchange."""
    from pipeline.exchange import release_feedback as release
    from pipeline.hub import classroom_of

    try:
        release(course, classroom_of(course), week)
    except ExchangeError as error:
        sys.exit(str(error))
    print(f"{week}: feedback in the exchange; students fetch it in the Assignments panel")


def report_hand_ins(course: Course, week: str) -> None:
    """`course.py report weekNN`'s last part, in a classroom: each student's hand-ins, the one that
    counts, and how late."""
    from pipeline.handins import due_date, hand_ins, print_hand_ins

    if Classroom.of(course) is None:
        return
    print_hand_ins(week, hand_ins(course, week), due_date(course, week))
