"""Grade every submission of a week: jobs out to an executor, results recorded here as they come.

    for result in autograde(course, "week03"):                          # the local pool, one per core
    for result in autograde(course, "week03", scheduler="local:4"):     # or a Dask cluster

Both executors run the same `pipeline.grading.grade` on each job; only this process writes the
gradebook and `autograded/` (`pipeline.recorder`). nbgrader writes an autograded notebook last, so
a run that was stopped midway is finished by running it again: what was graded stays, what was
half done is graded anew.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import nbformat

from pipeline import gradebook
from pipeline.course import Course, Settings
from pipeline.grading import Job, Result, files_of
from pipeline.recorder import Recorder


def autograde(course: Course, week: str, only: list[str] | None = None, jobs: int | None = None,
              settings: Settings | None = None, force: bool = False,
              scheduler: str | None = None) -> Iterator[Result]:
    """Grade the week's submissions that have no complete autograded notebook yet (all with `force`)
    in `jobs` local worker processes (default: one per core) or on the Dask cluster at `scheduler`
    (`tcp://HOST:8786`, or `local:N`), yielding each result once recorded."""
    settings = settings or Settings()
    who = only or course.students(week)
    done = [] if force else [student for student in who if graded(course, week, student)]
    for student in done:
        yield Result(student, True, "already graded (--force grades it again)")
    who = [student for student in who if student not in done]
    if not who:
        return
    if not gradebook.knows(course.gradebook_url, week):
        raise SystemExit(f"the gradebook does not know {week}: release it first with `python3 course.py "
                         f"release {week}` (and commit release/{week}/: it is what students get)")
    gradebook.add_students(course.gradebook_url, who)
    made = job_maker(course, week, settings)
    pending = (made(student) for student in who)
    if scheduler:
        from pipeline.cluster import grade_on_cluster

        results = grade_on_cluster(pending, scheduler)
    else:
        from pipeline.pool import grade_locally

        results = grade_locally(pending, min(jobs or os.cpu_count() or 2, len(who)))
    recorder = Recorder(course, week)
    for count, result in enumerate(results, start=1):
        recorded = recorder.record(result)
        yield Result(recorded.student, recorded.ok, f"[{count}/{len(who)}] {recorded.detail}".rstrip())


def job_maker(course: Course, week: str, settings: Settings):
    """A function making each student's `Job`: the week read from the gradebook once."""
    rows, stamp = gradebook.week_rows(course.gradebook_url, week), gradebook.schema(course.gradebook_url)
    week_files = {name: path.read_bytes() for name, path in course.released_files(week).items()}

    def made(student: str) -> Job:
        return Job(week, student, files_of(course.submitted / student / week), week_files, rows, stamp,
                   settings)

    return made


def graded(course: Course, week: str, student: str) -> bool:
    """Whether `student`'s autograded notebook of `week` is there and whole."""
    try:
        nbformat.read(course.autograded / student / week / f"{week}.ipynb", as_version=4)
    except (OSError, ValueError):
        return False
    return True
