"""Seconds per week notebook (reference solutions and hidden tests included) and for the book."""

from __future__ import annotations

import shutil
import time

from pipeline.book import build
from pipeline.notebooks import read_source
from pipeline.paths import BUILD, SOURCE
from pipeline.score import errors, execute

BUDGET = 90  # seconds per week on a 2-core laptop CPU


def time_week(week: str) -> tuple[float, list[str]]:
    start = time.perf_counter()
    notebook = execute(read_source(week), SOURCE / week)
    return time.perf_counter() - start, errors(notebook)


def time_book() -> tuple[float, float]:
    shutil.rmtree(BUILD, ignore_errors=True)
    start = time.perf_counter()
    if build():
        raise SystemExit("the book build failed")
    cold = time.perf_counter() - start
    start = time.perf_counter()
    build()
    return cold, time.perf_counter() - start


def main(weeks: list[str], book: bool = True) -> None:
    for week in weeks:
        seconds, failed = time_week(week)
        verdict = "ok" if seconds <= BUDGET and not failed else "OVER BUDGET" if not failed else "ERRORS"
        print(f"{week}: {seconds:6.1f} s  {verdict}", flush=True)
        for line in failed:
            print(f"    {line}")
    if book:
        cold, warm = time_book()
        print(f"book: {cold:6.1f} s cold, {warm:6.1f} s with no change", flush=True)
