"""Judge a week's wrong answers in one run of the week: run the reference once, fork at each exercise.

    python -m tests.judge week04              # every wrong answer in tests/wrong_answers/week04.md
    python -m tests.judge week04 --mutants    # and one-line mutants of the reference solutions

A worker process runs the week's cells in order in an IPython shell, as a kernel would. Where an
exercise's solution cell comes, it forks once per wrong answer: the child holds exactly the state a
fresh kernel has after running the notebook from the top to that point (variables, random number
generators, imported modules), runs the wrong answer and the cells after it up to the exercise's
last test cell, and reports each test cell's score as nbgrader computes it. The parent then runs the
reference and goes on. So every wrong answer costs only its exercise's cells, not the notebook's
prefix, and no answer can change what another one sees. The parent scores the reference's test
cells as it passes them: a wrong answer proves something only where the reference earns full marks.

Files a child writes stay in the week's throwaway working copy (the caller makes one); the weeks'
cells write none that a later exercise reads.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from pipeline.notebooks import SOLUTION, grade_id, is_solution, is_test, read_source
from pipeline.score import cell_score
from tests.support import exercises, working_copy, wrong_answers

CHILD_LIMIT = 600  # seconds for one wrong answer's cells
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Verdict:
    exercise: str
    what: str
    earned: float = 0.0
    possible: float = 0.0
    errors: dict[str, str] = field(default_factory=dict)  # test cell grade_id -> first line of its error

    @property
    def caught(self) -> bool:
        return self.earned < self.possible


@dataclass
class Report:
    week: str
    reference: dict[str, list[float]]  # test cell grade_id -> [earned, possible] of the reference
    verdicts: list[Verdict]
    seconds: float


# ---- inside the worker -------------------------------------------------------------------------

def make_shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config)
    return shell


def run_cell(shell, source: str) -> nbformat.NotebookNode:
    """Run `source`; return the code cell with the outputs nbgrader would see."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        result = shell.run_cell(source, store_history=False)
    cell = nbformat.v4.new_code_cell(source)
    error = result.error_before_exec or result.error_in_exec
    if err.getvalue():
        cell.outputs.append(nbformat.v4.new_output("stream", name="stderr", text=err.getvalue()))
    if error is not None:
        message = f"{type(error).__name__}: {error}".splitlines()[0][:300]
        cell.outputs.append(nbformat.v4.new_output("error", ename=type(error).__name__,
                                                   evalue=message, traceback=[]))
    elif result.result is not None:
        value = {"text/plain": repr(result.result)}
        cell.outputs.append(nbformat.v4.new_output("execute_result", data=value))
    return cell


def score(original: nbformat.NotebookNode, ran: nbformat.NotebookNode) -> tuple[float, float, str]:
    """(earned, possible, first error line) of a test cell that ran, as autograding scores it."""
    ran.metadata = original.metadata
    earned, possible = cell_score(ran)
    errors = [o.evalue for o in ran.outputs if o.output_type == "error"]
    errors += ["wrote to stderr: " + o.text.strip()[:200] for o in ran.outputs if o.output_type == "stream"]
    return earned, possible, (errors[0] if errors else "")


def judge_in_child(shell, cells, start: int, stop: int, answer: str) -> dict:
    """Run `answer` in place of cell `start`, then cells start+1..stop; score the test cells."""
    verdict = {"earned": 0.0, "possible": 0.0, "errors": {}}
    for index in range(start, stop + 1):
        cell = cells[index]
        ran = run_cell(shell, answer if index == start else cell.source)
        if is_test(cell):
            earned, possible, error = score(cell, ran)
            verdict["earned"] += earned
            verdict["possible"] += possible
            if error:
                verdict["errors"][grade_id(cell)] = error
    return verdict


def forked(function, *args) -> dict:
    """`function(*args)` in a forked child; its JSON result, or a reason when the child fails."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        try:
            payload = json.dumps(function(*args))
        except BaseException as error:  # noqa: BLE001 - report anything, never return to the parent's loop
            payload = json.dumps({"crash": f"{type(error).__name__}: {error}"})
        with os.fdopen(writer, "w") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(writer)
    chunks, deadline = [], time.monotonic() + CHILD_LIMIT
    while (left := deadline - time.monotonic()) > 0 and select.select([reader], [], [], left)[0]:
        chunk = os.read(reader, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    else:
        os.kill(pid, signal.SIGKILL)
    os.close(reader)
    os.waitpid(pid, 0)
    text = b"".join(chunks).decode()
    if not text:
        return {"crash": f"the answer's cells stopped the process or ran over {CHILD_LIMIT} s"}
    return json.loads(text)


def worker(week: str, answers: dict[str, list[tuple[str, str]]]) -> Report:
    """Run `week` once in this process, judging `answers` ({exercise: [(what, source)]}) on the way."""
    started = time.perf_counter()
    shell = make_shell()
    cells = read_source(week).cells
    tests = exercises(read_source(week))
    last = max((max(tests[e]) for e in answers if tests.get(e)), default=-1)
    reference, verdicts = {}, []
    for index, cell in enumerate(cells[: last + 1]):
        exercise = grade_id(cell) if is_solution(cell) else None
        for what, source in answers.get(exercise, []):
            if not tests[exercise]:
                verdicts.append(Verdict(exercise, what, errors={"": "no graded cell tests this exercise"}))
                continue
            result = forked(judge_in_child, shell, cells, index, max(tests[exercise]), source)
            if "crash" in result:  # as in autograding: the cells it stopped earn nothing
                possible = sum(float(cells[i].metadata.nbgrader["points"]) for i in tests[exercise])
                result = {"possible": possible, "errors": {"": result["crash"]}}
            verdicts.append(Verdict(exercise, what, **result))
        if cell.cell_type != "code":
            continue
        ran = run_cell(shell, cell.source)
        if is_test(cell):
            earned, possible, _ = score(cell, ran)
            reference[grade_id(cell)] = [earned, possible]
    return Report(week, reference, verdicts, time.perf_counter() - started)


# ---- one-line mutants of the reference solutions -------------------------------------------------

SWAPS = [(" + ", " - "), (" - ", " + "), (" * ", " / "), (" / ", " * "), (" < ", " <= "), (" <= ", " < "),
         (" > ", " >= "), (" >= ", " > "), (" == ", " != "), (" != ", " == "), (" += ", " = "),
         (" -= ", " = "), ("True", "False"), ("False", "True"), (" and ", " or "), (" or ", " and "),
         ("not ", ""), ("min(", "max("), ("max(", "min("), ("[1:]", "[:-1]"), ("[:-1]", "[1:]")]


def mutants(source: str) -> list[tuple[str, str]]:
    """(description, mutated source) for one-line changes inside the solution block of `source`."""
    lines, found, inside = source.splitlines(), [], False
    for number, line in enumerate(lines):
        if line.strip().startswith(SOLUTION[0]) or line.strip().startswith(SOLUTION[1]):
            inside = line.strip().startswith(SOLUTION[0])
            continue
        if not inside or not line.strip() or line.strip().startswith("#"):
            continue
        variants = [(f"'{old.strip()}' -> '{new.strip()}'", line.replace(old, new, 1))
                    for old, new in SWAPS if old in line]
        variants += [(f"{n} -> {int(n) + 1}", line[:m.start()] + str(int(n) + 1) + line[m.end():])
                     for m in re.finditer(r"(?<![\w.])(\d+)(?![\w.])", line) for n in [m.group(1)]]
        indent = line[: len(line) - len(line.lstrip())]
        if not line.rstrip().endswith(":"):
            variants.append(("line removed", indent + "pass"))
        for description, changed in variants:
            mutated = "\n".join(lines[:number] + [changed] + lines[number + 1:])
            try:
                compile(mutated, "<mutant>", "exec")
            except SyntaxError:
                continue
            found.append((f"line {number + 1}: {description}", mutated))
    return found


# ---- the caller's side ---------------------------------------------------------------------------

def judge(week: str, with_mutants: bool = False) -> Report:
    """Judge `week`'s wrong answers (and mutants) in a worker process in a throwaway folder."""
    answers: dict[str, list[tuple[str, str]]] = {}
    for exercise, what, source in wrong_answers(week):
        answers.setdefault(exercise, []).append((what, source))
    if with_mutants:
        for cell in read_source(week).cells:
            if is_solution(cell) and cell.cell_type == "code":
                answers.setdefault(grade_id(cell), []).extend(
                    (f"mutant {what}", source) for what, source in mutants(cell.source))
    with tempfile.TemporaryDirectory(prefix=f"judge-{week}-") as scratch:
        folder = working_copy(week, Path(scratch))
        (Path(scratch) / "answers.json").write_text(json.dumps(answers))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
                   MPLBACKEND="module://matplotlib_inline.backend_inline", PYDEVD_DISABLE_FILE_VALIDATION="1")
        result = subprocess.run([sys.executable, "-m", "tests.judge", week, "--worker", scratch],
                                cwd=folder, env=env, capture_output=True, text=True)
        output = Path(scratch) / "report.json"
        if result.returncode or not output.exists():
            log = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            raise RuntimeError(f"the judge of {week} failed:\n{log}")
        data = json.loads(output.read_text())
    return Report(data["week"], data["reference"], [Verdict(**v) for v in data["verdicts"]], data["seconds"])


def _worker_main(week: str, scratch: Path) -> None:
    answers = json.loads((scratch / "answers.json").read_text())
    report = worker(week, answers)
    data = {"week": report.week, "reference": report.reference, "seconds": report.seconds,
            "verdicts": [asdict(v) for v in report.verdicts]}
    (scratch / "report.json").write_text(json.dumps(data))


def print_report(report: Report) -> int:
    short = {cell: points for cell, points in report.reference.items() if points[0] != points[1]}
    for cell, (earned, possible) in short.items():
        print(f"REFERENCE SHORT  {cell}: {earned:g}/{possible:g}")
    missed = [v for v in report.verdicts if not v.caught]
    for verdict in report.verdicts:
        mark = "caught" if verdict.caught else "MISSED"
        reason = next(iter(verdict.errors.values()), "")
        print(f"{mark:7} {verdict.exercise:24} {verdict.earned:g}/{verdict.possible:g}  {verdict.what}"
              + (f"\n          {reason[:150]}" if reason and not verdict.caught else ""))
    caught = len(report.verdicts) - len(missed)
    print(f"{report.week}: {caught}/{len(report.verdicts)} caught, reference short on {len(short)} cells, "
          f"{report.seconds:.1f} s")
    return 1 if missed or short else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.judge", description=__doc__.splitlines()[0])
    parser.add_argument("week")
    parser.add_argument("--mutants", action="store_true", help="also one-line mutants of the solutions")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker_main(args.week, args.worker)
        return 0
    return print_report(judge(args.week, args.mutants))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
