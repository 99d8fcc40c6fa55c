"""A whole week of a classroom on JupyterHub, in a real browser (`course.py hub`).

Two students and an instructor, in a throwaway course copy whose exchange and homes live in a
throwaway folder; the students' accounts are made by `course.py hub` and removed at the end. Each
student logs in, fetches the week in nbgrader's Assignments panel and submits it: one solves it
(and presses Validate first), one hands in the untouched release. The instructor's side collects,
grades and releases feedback with the course's commands after the hub was restarted; each
student fetches their own feedback and reads their own score. On the way: a name not on the
roster can't log in nor hand in, a student can't hand in for another, a resubmission counts and
is shown, as is a late one, the week is released twice, the exchange with a wrong mode is named,
and no student reaches another's files, server or the course's sources.

It uses the small fixture week90: week 1 takes minutes to grade and to validate, week90 seconds.
Screenshots of each step (and of every open page on a failure) are kept in _build/hub/, with the
seconds of each step in _build/hub/steps.txt.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import shutil
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.util import find_spec

import pytest

from pipeline import accounts
from pipeline.copies import answered, course_in
from pipeline.course import COURSE_ID
from pipeline.hub import free_port
from tests import classroom as hub
from tests.browser import chromium, chromium_browser
from tests.support import COURSE, GOOD, run_ok, scratch

SHOTS = COURSE.build / "hub"
WEEK = "week90"

pytestmark = [
    pytest.mark.xdist_group("hub"),
    pytest.mark.skipif(chromium() is None, reason="Chromium is not installed (.ci/run installs it)"),
    pytest.mark.skipif(os.geteuid() != 0, reason="makes an account per student: needs root, as in CI"),
    pytest.mark.skipif(find_spec("jupyterhub") is None, reason="no JupyterHub (course.py build installs it)"),
    pytest.mark.skipif(shutil.which("node") is None, reason="the hub's proxy needs Node.js (.ci/run)"),
]


class Steps:
    """Seconds per step, and screenshots of every open page when a step fails."""

    def __init__(self):
        self.seconds, self.pages = {}, {}

    @contextmanager
    def __call__(self, name: str):
        start = time.perf_counter()
        try:
            yield
        except BaseException:
            slug = re.sub(r"\W+", "-", name)
            for who, page in self.pages.items():
                try:
                    page.screenshot(path=str(SHOTS / f"failed-{slug}-{who}.png"))
                except Exception:  # a closed page has nothing more to show
                    pass
            raise
        finally:
            self.seconds[name] = time.perf_counter() - start

    def shoot(self, who: str, name: str) -> None:
        self.pages[who].screenshot(path=str(SHOTS / f"{name}.png"))

    def write(self) -> None:
        lines = [f"{seconds:6.1f} s  {name}" for name, seconds in self.seconds.items()]
        total = f"{sum(self.seconds.values()):6.1f} s  in all"
        (SHOTS / "steps.txt").write_text("\n".join([*lines, total]) + "\n")


@pytest.fixture
def classroom():
    """The course copy, its students' names and the instructor's; the accounts removed after."""
    suffix = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(4))
    ada, bob, teacher = f"ada{suffix}", f"bob{suffix}", f"teacher{suffix}"
    course = hub.classroom_course(scratch("hub-"), [ada, bob], teacher)
    yield course, ada, bob, teacher
    accounts.remove([ada, bob], homes_too=True)


def test_a_week_of_a_class_on_jupyterhub(classroom):
    course, ada, bob, teacher = classroom
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    steps, log, port = Steps(), SHOTS / "hub.log", free_port()
    log.write_text("")
    exchange = course.root.parent / "srv" / "exchange"
    pages = steps.pages
    try:
        with steps("release before the hub: the exchange is missing"):
            missing = course_in(course, "release", WEEK)
            assert missing.returncode != 0 and "course.py hub" in missing.stderr + missing.stdout

        with chromium_browser() as chromium:
            with hub.running_hub(course, log, port) as url:
                with steps("the hub starts; release into the exchange"):
                    assert "in the exchange" in run_ok(course, "release", WEEK).stdout
                with steps("a name not on the roster can't log in"):
                    pages["mallory"], why = hub.refused_login(chromium, url, "mallory")
                    assert "not on this course's roster" in why
                    steps.shoot("mallory", "01-not-on-the-roster")
                with steps("the students log in (their servers start)"):
                    for name in (ada, bob):
                        pages[name] = hub.log_in(chromium, url, name)
                    assert hub.nbgrader_menu(pages[ada]) == ["Assignment List"]  # no instructor tools
                with steps("both fetch the week in the Assignments panel"):
                    for name in (ada, bob):
                        hub.open_assignments(pages[name])
                        hub.fetch(pages[name], WEEK)
                    steps.shoot(ada, "02-fetched")
                with steps("ada solves it and presses Validate"):
                    solved = answered(course.release_notebook(WEEK), GOOD)
                    hub.put_notebook(pages[ada], ada, f"{WEEK}/{WEEK}.ipynb", solved)
                    assert "Success" in hub.validate(pages[ada], WEEK)
                with steps("both submit; the due date passes; ada submits again"):
                    assert hub.submit(pages[ada], WEEK) == 1
                    assert hub.submit(pages[bob], WEEK) == 1
                    due = math.ceil(time.time())
                    hub.set_due_date(course, WEEK, datetime.fromtimestamp(due, UTC))
                    time.sleep(due + 1 - time.time())
                    assert hub.submit(pages[ada], WEEK) == 2
                    steps.shoot(ada, "03-submitted-twice")
                with steps("the week released twice"):
                    assert "released again" in run_ok(course, "release", WEEK).stdout
                with steps("no student reaches another's files, server or the sources"):
                    assert_private(course, ada, bob, exchange)
                    assert hub.status_of(pages[bob], f"{url}/user/{ada}/lab") == 403
                    steps.shoot(bob, "04-bob-at-adas-server")
                with steps("the instructor logs in: Formgrader and Create Assignment"):
                    pages[teacher] = hub.log_in(chromium, url, teacher)
                    assert {"Formgrader", "Create assignment"} <= set(hub.nbgrader_menu(pages[teacher]))
                    pages[teacher].goto(f"{url}/user/{teacher}/formgrader/manage_students")
                    pages[teacher].wait_for_selector(f"td:has-text('{ada}')")
                    steps.shoot(teacher, "05-formgrader")

            with steps("stray hand-ins: one by no one on the roster, one by bob for ada"):
                inbound = exchange / COURSE_ID / "inbound"
                stray = inbound / f"mallory+{WEEK}+2026-01-01 00:00:00.000000 UTC+x"
                stray.mkdir()
                shutil.copy(course.release_notebook(WEEK), stray)
                forged = f"{inbound}/{ada}+{WEEK}+2099-01-01 00:00:00.000000 UTC+x"
                assert hub.as_account(bob, "mkdir", forged).returncode == 0
            with steps("the exchange with a wrong mode is named"):
                exchange.chmod(0o755)
                wrong = course_in(course, "collect", WEEK, "--exchange")
                assert wrong.returncode != 0 and "chmod 1777" in wrong.stderr + wrong.stdout
                exchange.chmod(0o1777)

            with hub.running_hub(course, log, port) as url:
                with steps("the hub restarted: collect, autograde, feedback --release, report"):
                    collected = run_ok(course, "collect", WEEK, "--exchange").stdout
                    assert f"mallory+{WEEK}" in collected and "mallory is not on the roster" in collected
                    assert f"handed in by the account of {bob}, not by {ada}'s" in collected
                    assert f"{ada}: collected, 2 submissions, the last counts" in collected
                    run_ok(course, "autograde", WEEK)
                    run_ok(course, "feedback", WEEK, "--release")
                    report = dict(line.split(maxsplit=1) for line in
                                  run_ok(course, "report", WEEK).stdout.splitlines()[-2:])
                    assert "2 submissions, the last counts" in report[ada] and "late by" in report[ada]
                    assert report[bob].endswith("on time")
                with steps("each student fetches their own feedback"):
                    hub.start_again(pages[ada], url)  # the login cookie held through the restart
                    pages[bob] = hub.log_in(chromium, url, bob)  # the password chosen at the first login
                    for name, score in ((ada, "5.0 / 5.0"), (bob, "0.0 / 5.0")):
                        hub.open_assignments(pages[name])
                        assert f"(Score: {score})" in hub.fetch_feedback(pages[name], WEEK)
                        steps.shoot(name, f"06-feedback-{name[:3]}")
    finally:
        steps.write()
        pages.clear()


def assert_private(course, ada: str, bob: str, exchange) -> None:
    """bob's account reads the released week, and nothing of ada's, of the inbox or of the course's
    sources, hand-ins and gradebook."""
    home, released = course.root.parent / "home", exchange / COURSE_ID / "outbound" / WEEK / f"{WEEK}.ipynb"
    assert hub.as_account(bob, "cat", str(released)).returncode == 0
    for path in (home / ada / WEEK / f"{WEEK}.ipynb", course.source_md(WEEK), course.root / "gradebook.db",
                 course.root / "roster.csv"):
        assert hub.as_account(bob, "cat", str(path)).returncode != 0, f"{bob} could read {path}"
    for folder in (exchange / COURSE_ID / "inbound", course.source, course.submitted):
        assert hub.as_account(bob, "ls", str(folder)).returncode != 0, f"{bob} could list {folder}"
