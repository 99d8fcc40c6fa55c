"""Seconds per week notebook (reference solutions and hidden tests included), for the book, and
for grading a class: `course.py autograde` against nbgrader alone, grading one after another, or
(`--scheduler`) the local pool against a Dask cluster."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline import run
from pipeline.book import BOOK_ENVIRONMENT, build
from pipeline.copies import copy_course, course_in, hand_in, reference_answers
from pipeline.course import Course
from pipeline.notebooks import read_source
from pipeline.score import errors, execute

BUDGET = 90  # seconds per week on a 2-core laptop CPU
GRADING_WEEKS = ["week01", "week03"]  # one without torch, one with
DASK_BUDGET = 1.2  # a Dask run may take this many times the local pool's time


def time_week(course: Course, week: str) -> tuple[float, list[str]]:
    """Seconds the week takes in a plain kernel, with the book's settings (no guard may fire)."""
    os.environ["COURSE_GUARDS_STRICT"] = BOOK_ENVIRONMENT["COURSE_GUARDS_STRICT"]
    start = time.perf_counter()
    notebook = execute(read_source(week, course), course.source / week)
    return time.perf_counter() - start, errors(notebook)


def time_book(course: Course) -> tuple[float, float]:
    shutil.rmtree(course.build, ignore_errors=True)
    start = time.perf_counter()
    if build(course):
        raise SystemExit("the book build failed")
    cold = time.perf_counter() - start
    start = time.perf_counter()
    build(course)
    return cold, time.perf_counter() - start


def class_of(root: Path, week: str, count: int) -> Course:
    """A course copy at `root` with `count` students who all handed in the reference solution."""
    course = copy_course(root, [week])
    _checked(course_in(course, "release", week))
    for number in range(count):
        hand_in(course, f"student{number:03d}", week, reference_answers(week))
    return course


def time_grading(week: str, count: int) -> tuple[float, float]:
    """(nbgrader alone, `course.py autograde`) seconds for `count` full-mark hand-ins of `week`."""
    _warm_caches("torch", "matplotlib.pyplot")
    nbgrader = [sys.executable, "-m", "nbgrader", "autograde", week]
    with tempfile.TemporaryDirectory() as folder:
        alone = _grading_seconds(Path(folder) / "serial", week, count, lambda course: subprocess.run(
            nbgrader, cwd=course.root, env=run.environment(), capture_output=True, text=True))
        ours = _grading_seconds(Path(folder) / "pooled", week, count,
                                lambda course: course_in(course, "autograde", week))
    return alone, ours


def time_dask(week: str, count: int, scheduler: str) -> tuple[float, float]:
    """(local pool, Dask at `scheduler`) seconds for `count` full-mark hand-ins of `week`, the
    cluster's start and stop included (they are part of every run)."""
    _warm_caches("torch", "matplotlib.pyplot", "distributed")
    with tempfile.TemporaryDirectory() as folder:
        pool = _grading_seconds(Path(folder) / "pooled", week, count,
                                lambda course: course_in(course, "autograde", week))
        dask = _grading_seconds(Path(folder) / "dask", week, count,
                                lambda course: course_in(course, "autograde", week, "--scheduler", scheduler))
    return pool, dask


def _warm_caches(*modules: str) -> None:
    """Import `modules` once, so the first timed run does not pay for reading them from disk."""
    subprocess.run([sys.executable, "-c", f"import {', '.join(modules)}"], check=True)


def _grading_seconds(root: Path, week: str, count: int, grade) -> float:
    """Seconds `grade(course)` takes to grade a class of `count` full-mark hand-ins, all checked."""
    course = class_of(root, week, count)
    start = time.perf_counter()
    _checked(grade(course))
    seconds = time.perf_counter() - start
    _require_full_marks(course, week, count)
    return seconds


def _checked(result: subprocess.CompletedProcess) -> None:
    if result.returncode:
        raise SystemExit(f"{' '.join(map(str, result.args))} failed:\n{result.stdout}\n{result.stderr}")


def _require_full_marks(course: Course, week: str, count: int) -> None:
    _checked(course_in(course, "grades", "--to", "grades.csv"))
    with open(course.root / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    short = [row["student_id"] for row in rows if row[week] != row[f"{week} max"]]
    if len(rows) != count or short:
        raise SystemExit(f"{course.root.name}: {len(rows)} graded, not full marks: {short}")


def main(course: Course, weeks: list[str], book: bool = True, grading: int = 0,
         scheduler: str | None = None) -> None:
    if grading and scheduler:
        for week in weeks:
            pool, dask = time_dask(week, grading, scheduler)
            verdict = "ok" if dask <= DASK_BUDGET * pool else "OVER BUDGET"
            print(f"{week}, {grading} submissions: local pool {pool:6.1f} s, Dask ({scheduler}) "
                  f"{dask:6.1f} s: {dask / pool:.2f}x (budget {DASK_BUDGET}x) {verdict}", flush=True)
        return
    if grading:
        for week in weeks:
            alone, ours = time_grading(week, grading)
            print(f"{week}, {grading} submissions: nbgrader alone {alone:6.1f} s, course.py autograde "
                  f"{ours:6.1f} s: {alone / ours:.2f}x", flush=True)
        return
    for week in weeks:
        seconds, failed = time_week(course, week)
        verdict = "ok" if seconds <= BUDGET and not failed else "OVER BUDGET" if not failed else "ERRORS"
        print(f"{week}: {seconds:6.1f} s  {verdict}", flush=True)
        for line in failed:
            print(f"    {line}")
    if book:
        cold, warm = time_book(course)
        print(f"book: {cold:6.1f} s cold, {warm:6.1f} s with no change", flush=True)
