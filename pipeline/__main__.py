"""Commands of the course (run through `python3 course.py <command>`)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import warnings
from pathlib import Path

from pipeline import run
from pipeline.course import Course, Settings

COURSE = Course.here()


def cmd_data(args) -> None:
    from helpers.data import DATASETS, DatasetError, fetch

    for name in args.names or list(DATASETS):
        try:
            print(f"{name}: ready in {fetch(name)}")
        except DatasetError as error:
            sys.exit(str(error))


def cmd_notebooks(args) -> None:
    from pipeline.notebooks import write_source_notebook

    for week in args.weeks or COURSE.weeks():
        write_source_notebook(COURSE, week)


def cmd_release(args) -> None:
    from pipeline.contents import write_listings
    from pipeline.release import ReleaseError, release

    for week in args.weeks or COURSE.weeks():
        try:
            release(COURSE, week)
        except ReleaseError as error:
            sys.exit(str(error))
        print(f"{week}: release/{week}/ generated")
    if args.weeks:  # named weeks also go to the classroom's exchange, when there is one
        from pipeline.teach import release_to_exchange

        release_to_exchange(COURSE, args.weeks)
    for file in write_listings(COURSE):
        print(f"{file.relative_to(COURSE.root)}: the list of weeks updated")


def cmd_book(args) -> None:
    from pipeline.book import build

    sys.exit(build(COURSE))


def cmd_build(args) -> None:
    from pipeline.lab import configure

    configure()
    cmd_data(argparse.Namespace(names=None))
    cmd_release(argparse.Namespace(weeks=None))
    cmd_book(args)


def cmd_collect(args) -> None:
    from pipeline.collect import collect

    if args.exchange:
        from pipeline.teach import collect_from_exchange

        return collect_from_exchange(COURSE, args.week)
    if not args.zip:
        sys.exit("collect needs an LMS zip, or --exchange for the classroom's hand-ins")
    result = collect(COURSE, args.week, args.zip, args.force)
    for problem in result.problems:
        print(f"not collected: {problem}")
    print(f"{args.week}: collected {len(result.students)} submissions into submitted/")


def cmd_tasks(args) -> None:
    from pipeline.tasks import table

    print("\n\n".join(table(COURSE, week) for week in args.weeks or COURSE.weeks()))


def cmd_lab(args) -> None:
    from pipeline.lab import configure

    configure(instructor=args.instructor)
    print("JupyterLab: nbgrader's instructor tools " + ("on" if args.instructor else "off (students' setup)"))


def cmd_autograde(args) -> None:
    from pipeline.autograde import autograde

    if args.jobs and args.scheduler:
        sys.exit("--jobs is for the local pool; on a Dask cluster its workers' threads decide how many "
                 "submissions are graded at once")
    settings = Settings(**{name: value for name, value in (("cell_timeout", args.cell_timeout),
                                                           ("memory_gb", args.memory_gb)) if value})
    results = []
    for result in autograde(COURSE, args.week, args.student, args.jobs, settings, args.force, args.scheduler):
        print(f"{result.student}: {'ok' if result.ok else 'FAILED'} {result.detail}", flush=True)
        results.append(result)
    if not results:
        print(f"no submissions in submitted/*/{args.week}/")
    if any(not result.ok for result in results):
        sys.exit(1)


def cmd_feedback(args) -> None:
    result = COURSE.nbgrader().generate_feedback(args.week, force=True)
    if not result["success"]:
        sys.exit(f"nbgrader could not write the feedback of {args.week}:\n"
                 f"{result.get('error') or result.get('log')}")
    print(f"{args.week}: feedback written into feedback/<student>/{args.week}/")
    if args.release:
        from pipeline.teach import release_feedback

        release_feedback(COURSE, args.week)


def cmd_grades(args) -> None:
    from pipeline.grades import export

    print(f"{export(COURSE, COURSE.root / args.to)} students written to {args.to}")


def cmd_report(args) -> None:
    from pipeline.grades import needs_review, plot, print_table, report

    cells = report(COURSE, args.week)
    if not cells:
        sys.exit(f"nothing graded for {args.week}: run `python3 course.py autograde {args.week}` first")
    print_table(args.week, cells, needs_review(COURSE, args.week))
    figure = plot(args.week, cells, COURSE.root / "reports" / f"{args.week}.png")
    print(f"figure: {figure.relative_to(COURSE.root)}")
    from pipeline.teach import report_hand_ins

    report_hand_ins(COURSE, args.week)


def cmd_bench(args) -> None:
    from pipeline.bench import GRADING_WEEKS, main

    if args.grading:
        main(COURSE, args.weeks or GRADING_WEEKS, grading=args.grading, scheduler=args.scheduler)
    else:
        main(COURSE, args.weeks or COURSE.weeks(), book=not args.no_book)


def cmd_hub(args) -> None:
    from pipeline.teach import hub

    hub(COURSE, args.init, args.remove_accounts, args.ip, args.port)


def cmd_test(args) -> None:
    cmd_data(argparse.Namespace(names=None))
    command = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "--no-loadscope-reorder",
               "--durations=10", *args.pytest_args]
    sys.exit(subprocess.run(command, cwd=COURSE.root, env=run.environment()).returncode)


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
    collect.add_argument("zip", type=Path, nargs="?")
    collect.add_argument("--exchange", action="store_true",
                         help="instead: nbgrader's collect from the classroom's exchange (course.py hub)")
    collect.add_argument("--force", action="store_true", help="replace submissions already collected")
    grade = add("autograde", cmd_autograde, "grade submitted/<student>/<week>/ in sandboxes")
    grade.add_argument("week")
    grade.add_argument("--student", action="append", help="only this student (repeatable)")
    grade.add_argument("--jobs", type=int,
                       help="submissions graded at once by the local pool (default: cores)")
    grade.add_argument("--cell-timeout", type=int, help="seconds a cell may run (default: 90)")
    grade.add_argument("--memory-gb", type=float, help="memory one submission may use (default: 4)")
    grade.add_argument("--force", action="store_true", help="grade again what is already graded")
    grade.add_argument("--scheduler", metavar="tcp://HOST:8786|local:N",
                       help="grade on this Dask cluster (local:N: N worker processes here); the head "
                            "alone writes the gradebook and autograded/")
    feedback = add("feedback", cmd_feedback, "write feedback/<student>/<week>/ without hidden tests")
    feedback.add_argument("week")
    feedback.add_argument("--release", action="store_true",
                          help="then into the classroom's exchange, for students to fetch")
    grades = add("grades", cmd_grades, "a CSV: one row per student, a column per graded cell, totals")
    grades.add_argument("--to", default="grades.csv")
    add("report", cmd_report, "per graded cell: full/partial/zero shares and common failures").add_argument(
        "week")
    hub = add("hub", cmd_hub, "a classroom on JupyterHub here: accounts, exchange, the hub (as root)")
    hub.add_argument("--init", action="store_true", help="write an example roster and classroom settings")
    hub.add_argument("--ip", default="", help="the address to listen on (default: all)")
    hub.add_argument("--port", type=int, help="default: the classroom's port (8000)")
    hub.add_argument("--remove-accounts", action="store_true",
                     help="instead: delete the students' accounts it made (homes kept)")
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
