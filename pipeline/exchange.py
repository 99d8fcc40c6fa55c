"""nbgrader's exchange for the classroom: weeks out to students, hand-ins in, feedback back.

    python3 course.py release week03               # also into the exchange, for the Assignments panel
    python3 course.py collect week03 --exchange    # the exchange's hand-ins into submitted/
    python3 course.py feedback week03 --release    # feedback/ back through the exchange

The exchange is nbgrader's default one: a folder on this machine that every account may write to
(mode 1777: the sticky bit stops a student from removing or renaming what others put there).
Inside it nbgrader keeps the released weeks (readable by all), an inbox that students can write to
but not list, and feedback files named by a secret only the submitting student holds. Collecting
follows nbgrader's rules (each student's last submission counts, the due date in the gradebook
makes it late or not) and takes only what a roster student's own account handed in.
"""

from __future__ import annotations

import glob
import os
import pwd
import stat
from dataclasses import dataclass, field

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment
from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from traitlets import Set

from pipeline.classroom import Classroom
from pipeline.course import COURSE_ID, Course

MODE = 0o1777


class ExchangeError(RuntimeError):
    """The exchange can't be used as it is; the message names the fix."""


# ---- the folder ----------------------------------------------------------------------------------

def problem(classroom: Classroom) -> str:
    """Why students could not use the exchange folder, with the fix; '' when they can."""
    folder = classroom.exchange
    if not folder.is_dir():
        return (f"the exchange folder {folder} is missing: `sudo python3 course.py hub` makes it "
                f"(or: sudo mkdir -p {folder} && sudo chmod 1777 {folder})")
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode != MODE:
        return (f"the exchange folder {folder} has mode {mode:o}, so students can't hand in there: "
                f"`sudo chmod 1777 {folder}` (`sudo python3 course.py hub` does it)")
    closed = next((parent for parent in folder.parents if not parent.stat().st_mode & stat.S_IXOTH), None)
    if closed:
        return (f"{closed} is closed to other accounts, so students can't reach the exchange: "
                f"`chmod o+x {closed}`")
    return ""


def prepare(classroom: Classroom) -> None:
    """Make the exchange folder, or give it back the mode it must have (as root)."""
    classroom.folder.mkdir(mode=0o755, parents=True, exist_ok=True)
    classroom.exchange.mkdir(exist_ok=True)
    os.chmod(classroom.exchange, MODE)


def require(classroom: Classroom) -> None:
    found = problem(classroom)
    if found:
        raise ExchangeError(found)


# ---- release, collect, feedback ----------------------------------------------------------------

def release(course: Course, classroom: Classroom, week: str) -> str:
    """Put release/<week>/ into the exchange; a week released again replaces what was there
    (students' fetched copies and their hand-ins stay). Returns what happened."""
    require(classroom)
    again = (classroom.exchange / COURSE_ID / "outbound" / week).is_dir()
    app = _app(course, ExchangeReleaseAssignment, week)
    app.force = True
    _run(app, f"nbgrader could not put {week} into the exchange")
    if again:
        return (f"{week}: released again into the exchange (replaced; students who fetched it keep their "
                "copy, and hand-ins are kept)")
    return f"{week}: in the exchange; students fetch it in the Assignments panel"


@dataclass
class Collected:
    students: list[str] = field(default_factory=list)  # whose submission was collected or updated
    unchanged: list[str] = field(default_factory=list)  # already collected, nothing newer
    refused: list[str] = field(default_factory=list)  # why a hand-in was not taken


def collect(course: Course, classroom: Classroom, week: str) -> Collected:
    """nbgrader's collect into submitted/<student>/<week>/: the last submission of each roster
    student counts; a newer one replaces what was collected before."""
    require(classroom)
    before = {student: _stamp(course, student, week) for student in course.students(week)}
    app = _app(course, RosterCollect, week)
    app.update, app.roster = True, set(classroom.students())
    _run(app, f"nbgrader could not collect {week}")
    result = Collected(refused=app.refused)
    for student in course.students(week):
        changed = _stamp(course, student, week) != before.get(student)
        (result.students if changed else result.unchanged).append(student)
    return result


def release_feedback(course: Course, classroom: Classroom, week: str) -> None:
    """feedback/<student>/<week>/ into the exchange, where each student's panel fetches their own."""
    require(classroom)
    _run(_app(course, ExchangeReleaseFeedback, week), f"nbgrader could not release the feedback of {week}")


class RosterCollect(ExchangeCollect):
    """nbgrader's collect, choosing among the hand-ins that a roster student's own account made.

    nbgrader picks each student's last hand-in (with `before_duedate`, the last one before the due
    date) and only then warns when its folder belongs to another account; here the others are
    refused first, so a forged or stray hand-in can neither be collected nor hide a real one.
    """

    roster = Set()

    def init_src(self):
        super().init_src()  # nbgrader's checks, its inbox and the due date
        pattern = os.path.join(self.inbound_path, f"*+{self.coursedir.assignment_id}+*")
        records, self.refused = [], []
        for record in (self._path_to_record(path) for path in sorted(glob.glob(pattern))):
            why = self._refusal(record)
            (self.refused.append(f"{record['filename']}: {why}") if why else records.append(record))
        by_student = {}
        for record in records:
            by_student.setdefault(record["username"], []).append(record)
        self.src_records = [self._counted(own) for own in by_student.values()]

    def _counted(self, records: list[dict]) -> dict:
        """nbgrader's rule: the last hand-in, or with `before_duedate` the last one before the due date."""
        records = self._sort_by_timestamp(records)
        if self.duedate is not None and self.before_duedate:
            return next((record for record in records if record["timestamp"] <= self.duedate), records[0])
        return records[0]

    def _refusal(self, record: dict) -> str:
        name = record["username"]
        if name not in self.roster:
            return f"{name} is not on the roster"
        owner = os.stat(os.path.join(self.inbound_path, record["filename"])).st_uid
        if owner != _uid(name):
            return f"handed in by the account of {_name(owner)}, not by {name}'s"
        return ""


def submissions(classroom: Classroom, student: str, week: str) -> list[str]:
    """The hand-ins of `week` in the inbox that `student`'s own account made, oldest first."""
    inbox = classroom.exchange / COURSE_ID / "inbound"
    found = glob.glob(str(inbox / f"{glob.escape(student)}+{glob.escape(week)}+*"))
    return sorted(path for path in found if os.stat(path).st_uid == _uid(student))


def _app(course: Course, kind, week: str):
    api = course.nbgrader()
    api.coursedir.assignment_id = week
    return kind(coursedir=api.coursedir, authenticator=api.authenticator, parent=api)


def _run(app, failure: str) -> None:
    from nbgrader.apps.api import capture_log

    result = capture_log(app)
    if not result["success"]:
        raise ExchangeError(f"{failure}:\n{result.get('error') or result.get('log')}")


def _stamp(course: Course, student: str, week: str) -> str | None:
    stamp = course.submitted / student / week / "timestamp.txt"
    return stamp.read_text().strip() if stamp.is_file() else None


def _uid(name: str) -> int | None:
    try:
        return pwd.getpwnam(name).pw_uid
    except KeyError:
        return None


def _name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"
