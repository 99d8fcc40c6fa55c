"""The classroom's parts that need no hub: the roster, the exchange folder's checks, each role's
Jupyter settings, `course.py hub --init`, the hand-ins report's wording. The whole classroom, in a
browser, is tests/test_hub.py."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest

from pipeline import accounts, exchange, hub
from pipeline.classroom import EXAMPLE_ROSTER, Classroom, RosterError, read_roster
from pipeline.course import COURSE_ID, Course
from pipeline.handins import HandIn, describe
from tests.support import COURSE, scratch


@pytest.fixture
def course(tmp_path) -> Course:
    """A course folder with the real _config.yml and nbgrader_config.py, no classroom yet."""
    for name in ("_config.yml", "nbgrader_config.py"):
        shutil.copy(COURSE.root / name, tmp_path / name)
    return Course(tmp_path)


def test_init_writes_an_example_roster_and_the_classroom_settings(course):
    assert Classroom.of(course) is None
    written = hub.init(course)
    assert len(written) == 2 and hub.init(Course(course.root)) == []
    classroom = Classroom.of(Course(course.root))
    assert classroom.students() == ["ada", "alan"] and classroom.instructors() == ["teacher"]
    assert classroom.exchange.name == "exchange" and classroom.port == 8000
    assert Course(course.root).settings["publish_solutions"] is False  # the rest of the section kept


@pytest.mark.parametrize("line, problem", [
    ("Ada,student", "'Ada' is not a user name"),
    ("ada,student\nada,student", "ada is listed twice"),
    ("ada,teacher", "'teacher' is neither student nor instructor"),
])
def test_a_roster_line_that_cannot_be_used_is_named(tmp_path, line, problem):
    roster = tmp_path / "roster.csv"
    roster.write_text(f"id,role\nteacher,instructor\n{line}\n")
    with pytest.raises(RosterError, match=problem):
        read_roster(roster)


def test_a_roster_without_an_instructor_or_at_all_says_what_to_do(course):
    hub.init(course)
    classroom = Classroom.of(Course(course.root))
    classroom.roster_file.write_text("id,role\nada,student\n")
    with pytest.raises(RosterError, match="no instructor"):
        classroom.roster()
    classroom.roster_file.unlink()
    with pytest.raises(RosterError, match="course.py hub --init"):
        classroom.roster()


def test_the_example_roster_reads_with_names_and_roles(tmp_path):
    (tmp_path / "roster.csv").write_text(EXAMPLE_ROSTER)
    members = read_roster(tmp_path / "roster.csv")
    assert [(member.id, member.role) for member in members] == [
        ("teacher", "instructor"), ("ada", "student"), ("alan", "student")]
    assert members[1].first_name == "Ada" and members[1].email == "ada@example.org"


def classroom_in(course: Course, folder) -> Classroom:
    return Classroom(course, course.root / "roster.csv", folder, folder / "home")


def test_the_exchange_folder_missing_or_with_a_wrong_mode_or_unreachable_names_the_fix(course):
    area = scratch("exchange-")
    area.chmod(0o755)
    classroom = classroom_in(course, area / "srv")
    assert "is missing: `sudo python3 course.py hub` makes it" in exchange.problem(classroom)
    exchange.prepare(classroom)
    assert exchange.problem(classroom) == ""
    classroom.exchange.chmod(0o755)
    assert "`sudo chmod 1777" in exchange.problem(classroom)
    classroom.exchange.chmod(0o1777)
    area.chmod(0o700)
    assert f"{area} is closed to other accounts" in exchange.problem(classroom)
    with pytest.raises(exchange.ExchangeError, match="chmod o\\+x"):
        exchange.require(classroom)


def test_students_get_assignments_and_validate_the_instructor_formgrader_too(course):
    hub.init(course)
    course = Course(course.root)
    classroom = classroom_in(course, scratch("settings-"))
    hub.write_role_settings(course, classroom)

    def settings(role):
        folder = classroom.settings_of / role
        page = json.loads((folder / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
        server = json.loads((folder / "jupyter_server_config.d" / "nbgrader.json").read_text())["ServerApp"]
        parts = {name.rsplit(".", 1)[-1]: on for name, on in server["jpserver_extensions"].items()}
        return page, parts, (folder / "nbgrader_config.py").read_text()

    page, server, nbgrader = settings("student")
    assert page["@jupyter/nbgrader:formgrader"] and page["@jupyter/nbgrader:create-assignment"]
    assert "@jupyter/nbgrader:assignment-list" not in page
    assert server["assignment_list"] and not server["formgrader"]
    assert f"c.Exchange.root = {str(classroom.exchange)!r}" in nbgrader and repr(COURSE_ID) in nbgrader
    page, server, nbgrader = settings("instructor")
    assert not page["@jupyter/nbgrader:formgrader"] and server["formgrader"]
    assert str(course.root / "nbgrader_config.py") in nbgrader


def test_nbgrader_uses_the_classrooms_exchange_once_there_is_one(course):
    hub.init(course)
    course = Course(course.root)
    assert course.nbgrader_config().Exchange.root == str(Classroom.of(course).exchange)


def test_the_hub_without_root_says_why_it_needs_it(monkeypatch):
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    with pytest.raises(SystemExit, match="run it as root"):
        accounts.require_root("course.py hub makes an account per student")


def test_hand_ins_say_how_many_which_counts_and_how_late():
    when = datetime(2026, 10, 12, 23, 59, 30)
    assert describe(HandIn("ada", 0, False)) == "nothing handed in"
    assert describe(HandIn("ada", 2, False)) == "nothing collected (2 in the exchange: collect them)"
    assert describe(HandIn("ada", 0, True)) == "collected, with no time of hand-in (an LMS zip)"
    assert describe(HandIn("ada", 1, True, when)) == "2026-10-12 23:59:30 UTC, on time"
    assert describe(HandIn("ada", 3, True, when, 3725)) == (
        "3 submissions, the last counts: 2026-10-12 23:59:30 UTC, late by 1 h 2 min 5 s")
