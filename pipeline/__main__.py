"""Commands of the course (run through `python3 course.py <command>`)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import warnings
from pathlib import Path

from pipeline import run
from pipeline.paths import ROOT, weeks


def cmd_data(args) -> None:
    from helpers.data import DATASETS, DatasetError, fetch

    for name in args.names or list(DATASETS):
        try:
            print(f"{name}: ready in {fetch(name)}")
        except DatasetError as error:
            sys.exit(str(error))


def cmd_notebooks(args) -> None:
    from pipeline.notebooks import write_source_notebook

    for week in args.weeks or weeks():
        write_source_notebook(week)


def cmd_release(args) -> None:
    from pipeline.release import release

    for week in args.weeks or weeks():
        release(week)
        print(f"{week}: release/{week}/ generated")


def cmd_book(args) -> None:
    from pipeline.book import build

    sys.exit(build())


def cmd_build(args) -> None:
    from pipeline.lab import configure
    configure()
    cmd_data(argparse.Namespace(names=None))
    cmd_release(argparse.Namespace(weeks=None))
    cmd_book(args)


def cmd_collect(args) -> None:
    from pipeline.collect import collect

    result = collect(args.week, args.zip, args.force)
    for problem in result.problems:
        print(f"not collected: {problem}")
    print(f"{args.week}: collected {len(result.students)} submissions into submitted/")


def cmd_tasks(args) -> None:
    from pipeline.tasks import table

    print("\n\n".join(table(week) for week in args.weeks or weeks()))


def cmd_lab(args) -> None:
    from pipeline.lab import configure

    configure(instructor=args.instructor)
    print("JupyterLab: nbgrader's instructor tools " + ("on" if args.instructor else "off (students' setup)"))


def cmd_autograde(args) -> None:
    from pipeline.autograde import autograde

    outcomes = []
    for outcome in autograde(args.week, args.student, args.jobs, args.cell_timeout, args.memory_gb,
                             args.force, args.scheduler):
        print(f"{outcome.student}: {'ok' if outcome.ok else 'FAILED'} {outcome.detail}", flush=True)
        outcomes.append(outcome)
    if not outcomes:
        print(f"no submissions in submitted/*/{args.week}/")
    if any(not outcome.ok for outcome in outcomes):
        sys.exit(1)


def cmd_feedback(args) -> None:
    run.nbgrader("generate_feedback", args.week, "--force")


def cmd_grades(args) -> None:
    from pipeline.grades import export

    print(f"{export(ROOT / args.to)} students written to {args.to}")


def cmd_report(args) -> None:
    from pipeline.grades import REPORTS, plot, print_table, report

    cells = report(args.week)
    if not cells:
        sys.exit(f"nothing graded for {args.week}: run `python3 course.py autograde {args.week}` first")
    print_table(args.week, cells)
    print(f"figure: {plot(args.week, cells, REPORTS / f'{args.week}.png').relative_to(ROOT)}")


def cmd_bench(args) -> None:
    from pipeline.bench import GRADING_WEEKS, main

    if args.grading:
        main(args.weeks or GRADING_WEEKS, grading=args.grading, scheduler=args.scheduler)
    else:
        main(args.weeks or weeks(), book=not args.no_book)


def cmd_test(args) -> None:
    cmd_data(argparse.Namespace(names=None))
    command = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "--no-loadscope-reorder",
               "--durations=10", *args.pytest_args]
    sys.exit(subprocess.run(command, cwd=ROOT, env=run.environment()).returncode)


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python3 course.py", description=__doc__)
    commands = main.add_subparsers(dest="command", required=True)

    def add(name, handler, help_text):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(handler=handler)
        return sub

    add("build", cmd_build, "set up, fetch DATA, generate the releases, build the book")
    add("test", cmd_test, "run the whole test suite").add_argument("pytest_args", nargs="*")
    add("data", cmd_data, "fetch and verify datasets into DATA/").add_argument("names", nargs="*")
    add("notebooks", cmd_notebooks, "generate source/weekNN/weekNN.ipynb").add_argument("weeks", nargs="*")
    add("release", cmd_release, "generate the student notebooks in release/").add_argument("weeks", nargs="*")
    add("book", cmd_book, "build the book into _build/html")
    add("tasks", cmd_tasks, "each week's course tasks and the test cells that grade them").add_argument(
        "weeks", nargs="*")
    add("lab", cmd_lab, "students' JupyterLab (default) or an instructor's").add_argument(
        "--instructor", action="store_true")
    collect = add("collect", cmd_collect, "unpack an LMS zip of submissions into submitted/")
    collect.add_argument("week")
    collect.add_argument("zip", type=Path)
    collect.add_argument("--force", action="store_true", help="replace submissions already collected")
    grade = add("autograde", cmd_autograde, "grade submitted/<student>/<week>/ in sandboxes")
    grade.add_argument("week")
    grade.add_argument("--student", action="append", help="only this student (repeatable)")
    grade.add_argument("--jobs", type=int, help="submissions graded at once (default: cores)")
    grade.add_argument("--cell-timeout", type=int, help="seconds a cell may run (default: 90)")
    grade.add_argument("--memory-gb", type=float, help="memory one submission may use (default: 4)")
    grade.add_argument("--force", action="store_true", help="grade again what is already graded")
    grade.add_argument("--scheduler", metavar="tcp://HOST:8786|local:N",
                       help="grade on this Dask cluster (local:N: N worker processes here); the head "
                            "alone writes the gradebook and autograded/")
    feedback = add("feedback", cmd_feedback, "write feedback/<student>/<week>/ without hidden tests")
    feedback.add_argument("week")
    grades = add("grades", cmd_grades, "a CSV: one row per student, a column per graded cell, totals")
    grades.add_argument("--to", default="grades.csv")
    add("report", cmd_report, "per graded cell: full/partial/zero shares and common failures").add_argument(
        "week")
    bench = add("bench", cmd_bench, "seconds per week notebook and for the book build, or for grading")
    bench.add_argument("weeks", nargs="*")
    bench.add_argument("--no-book", action="store_true")
    bench.add_argument("--grading", type=int, metavar="N", default=0,
                       help="instead: grade N full-mark hand-ins (default weeks: week01 week03) with "
                            "nbgrader alone and with course.py autograde; print both times and the ratio")
    bench.add_argument("--scheduler", metavar="tcp://HOST:8786|local:N",
                       help="with --grading: the local pool against autograde --scheduler instead")
    return main


def main() -> None:
    from pipeline.config import GRADEBOOK_NOISE

    warnings.filterwarnings("ignore", message=GRADEBOOK_NOISE)
    args, extra = parser().parse_known_args()
    if extra and args.command != "test":
        parser().error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "test":
        args.pytest_args = [*extra, *args.pytest_args]
    args.handler(args)


if __name__ == "__main__":
    main()
