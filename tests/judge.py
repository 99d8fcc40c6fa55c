"""Judge a week's answers in one run of the week: run the reference once, fork at each exercise.

    .venv/bin/python -m tests.judge week04              # tests/wrong_answers and right_answers
    .venv/bin/python -m tests.judge week04 --mutants    # and one-line mutants of the solutions
    .venv/bin/python -m tests.judge week04 --seeds 20   # and the reference under 20 other seeds

A worker process runs the week's cells in order in an IPython shell, as a kernel would. Where an
exercise's solution cell comes, it forks once per wrong answer: the child holds exactly the state a
fresh kernel has after running the notebook from the top to that point (variables, random number
generators, imported modules), runs the wrong answer and the cells after it up to the exercise's
last test cell, and reports each test cell's score as nbgrader computes it. The parent then runs the
reference and goes on. So every wrong answer costs only its exercise's cells, not the notebook's
prefix, and no answer can change what another one sees. The parent scores the reference's test
cells as it passes them: a wrong answer proves something only where the reference earns full marks.

Seeds: an exercise whose cells draw random numbers (the state of `random`, NumPy's and torch's
generators, or of a generator in the notebook, differs after its cells) must earn full marks for
the reference under other seeds too. Before an exercise the worker forks a checkpoint that waits;
once the reference has run the exercise, the checkpoint either exits or runs the exercise again
once per seed, each time with every generator reseeded and every `seed(s)` call of the exercise
turned into `seed(s + k * SEED_STEP)`, while the reference goes on in the parent.

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
from tests.support import exercises, right_answers, working_copy, wrong_answers

CHILD_LIMIT = 600  # seconds for one wrong answer's cells
ROOT = Path(__file__).resolve().parent.parent


WRONG, RIGHT, MUTANT, SEED = "wrong", "right", "mutant", "seed"  # kinds of answers
SEED_STEP = 7919  # seed(s) becomes seed(s + k * SEED_STEP) under seed variant k


@dataclass
class Verdict:
    exercise: str
    what: str
    earned: float = 0.0
    possible: float = 0.0
    errors: dict[str, str] = field(default_factory=dict)  # test cell grade_id -> first line of its error
    kind: str = WRONG

    @property
    def caught(self) -> bool:
        return self.earned < self.possible

    @property
    def as_expected(self) -> bool:
        """A wrong answer or a mutant loses points; a right answer or a reseeded reference earns all."""
        return self.caught if self.kind in (WRONG, MUTANT) else self.possible > 0 and not self.caught


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


def run_cell(shell, source: str, test: bool = False) -> nbformat.NotebookNode:
    """Run `source`; return the code cell with the outputs nbgrader would see.

    A graded test cell runs as autograding runs it: as plain Python on a copy of the notebook's
    namespace, so nothing it defines or rebinds is there afterwards.
    """
    if test:
        return run_test(shell, source)
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


def run_test(shell, source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    try:
        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):  # a test's verdict is its error
            exec(compile(source, "<graded test>", "exec"), dict(shell.user_ns))  # noqa: S102
    except BaseException as error:  # noqa: BLE001 - a test cell's failure, whatever it is
        message = f"{type(error).__name__}: {error}".splitlines()[0][:300]
        cell.outputs.append(nbformat.v4.new_output("error", ename=type(error).__name__, evalue=message,
                                                   traceback=[]))
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
        ran = run_cell(shell, answer if index == start else cell.source, test=is_test(cell))
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


def worker(week: str, answers: dict[str, list[tuple[str, str, str]]], seeds: int = 0) -> Report:
    """Run `week` once in this process, judging `answers` ({exercise: [(kind, what, source)]}) on
    the way, and the reference of every exercise that draws random numbers under `seeds` seeds."""
    started = time.perf_counter()
    shell = make_shell()
    cells = read_source(week).cells
    tests = exercises(read_source(week))
    judged = [e for e in tests if tests[e] and (e in answers or seeds)]
    last = max((max(tests[e]) for e in judged), default=-1)
    reference, verdicts, waiting, started_seeds = {}, [], {}, []
    for index, cell in enumerate(cells[: last + 1]):
        exercise = grade_id(cell) if is_solution(cell) else None
        for kind, what, source in answers.get(exercise, []):
            if not tests[exercise]:
                verdicts.append(Verdict(exercise, what, errors={"": "no graded cell tests this exercise"},
                                        kind=kind))
                continue
            result = forked(judge_in_child, shell, cells, index, max(tests[exercise]), source)
            verdicts.append(Verdict(exercise, what, kind=kind, **_settled(result, cells, tests[exercise])))
        if exercise in judged and seeds:
            stop = max(tests[exercise])
            waiting[stop] = (Checkpoint(shell, cells, index, stop, seeds, exercise, tests[exercise]),
                             rng_state(shell))
        if cell.cell_type != "code":
            continue
        ran = run_cell(shell, cell.source, test=is_test(cell))
        if is_test(cell):
            earned, possible, _ = score(cell, ran)
            reference[grade_id(cell)] = [earned, possible]
        if index in waiting:
            checkpoint, before = waiting.pop(index)
            random_drawn = rng_state(shell) != before
            checkpoint.release(random_drawn)
            if random_drawn:
                started_seeds.append(checkpoint)
    for checkpoint in started_seeds:
        verdicts += checkpoint.verdicts()
    return Report(week, reference, verdicts, time.perf_counter() - started)


def _settled(result: dict, cells, test_indices: list[int]) -> dict:
    """A child's result; one that crashed earns nothing (as in autograding: the cells it stopped)."""
    if "crash" not in result:
        return result
    possible = sum(float(cells[i].metadata.nbgrader["points"]) for i in test_indices)
    return {"possible": possible, "errors": {"": result["crash"]}}


# ---- the reference under other seeds -------------------------------------------------------------

def rng_state(shell) -> str:
    """A digest of every random number generator's state (Python's, NumPy's, torch's and the
    generators the notebook holds in variables) and of how often a seed was set so far."""
    import hashlib
    import pickle
    import random

    numpy, torch = sys.modules.get("numpy"), sys.modules.get("torch")
    _count_seeding(random, numpy, torch)
    parts = [pickle.dumps(random.getstate()), repr(sorted(SEEDINGS.items())).encode()]
    if numpy is not None:
        parts.append(pickle.dumps(numpy.random.get_state()))
    if torch is not None:
        parts.append(torch.random.get_rng_state().numpy().tobytes())
    for name, value in sorted(shell.user_ns.items(), key=lambda item: str(item[0])):
        if numpy is not None and isinstance(value, numpy.random.Generator):
            parts.append(name.encode() + pickle.dumps(value.bit_generator.state))
        elif torch is not None and isinstance(value, torch.Generator):
            parts.append(name.encode() + value.get_state().numpy().tobytes())
    return hashlib.sha256(b"".join(parts)).hexdigest()


SEEDINGS: dict[str, int] = {}  # seeding function -> calls so far (a seed set twice alike leaves no trace)


def _count_seeding(*modules) -> None:
    """Count the calls of the seeding functions of `random`, NumPy and torch (once each)."""
    places = {"random": ["seed"], "numpy.random": ["seed", "default_rng"], "torch": ["manual_seed"]}
    for module in filter(None, modules):
        for place, names in places.items():
            owner = module.random if place == "numpy.random" and module.__name__ == "numpy" else module
            if owner.__name__ != place:
                continue
            for name in names:
                original = getattr(owner, name)
                if getattr(original, "counted", False):
                    continue

                def counted(*args, _original=original, _key=f"{place}.{name}", **kwargs):
                    SEEDINGS[_key] = SEEDINGS.get(_key, 0) + 1
                    return _original(*args, **kwargs)

                counted.counted = True
                setattr(owner, name, counted)


def reseeded(variant: int, shell) -> None:
    """In a child: every generator reseeded, and each `seed(s)` call from now on made `seed(s + k*STEP)`."""
    import random

    shift = variant * SEED_STEP

    def shifted(seed):
        return seed + shift if isinstance(seed, int) and not isinstance(seed, bool) else seed

    original_seed = random.seed
    random.seed = lambda a=None, version=2: original_seed(shifted(a), version)
    random.seed(variant)
    numpy, torch = sys.modules.get("numpy"), sys.modules.get("torch")
    if numpy is not None:
        seed, default_rng = numpy.random.seed, numpy.random.default_rng
        numpy.random.seed = lambda value=None: seed(None if value is None else shifted(value) % 2**32)
        numpy.random.default_rng = lambda value=None: default_rng(shifted(value))
        numpy.random.seed(variant)
    if torch is not None:
        manual_seed = torch.manual_seed
        torch.manual_seed = torch.random.manual_seed = lambda value: manual_seed(shifted(value))
        torch.manual_seed(variant)
    for value in shell.user_ns.values():
        if numpy is not None and isinstance(value, numpy.random.Generator):
            value.bit_generator.state = type(value.bit_generator)(shift).state
        elif torch is not None and isinstance(value, torch.Generator):
            value.manual_seed(shift)


def judge_reseeded(shell, cells, start: int, stop: int, variant: int) -> dict:
    reseeded(variant, shell)
    return judge_in_child(shell, cells, start, stop, cells[start].source)


class Checkpoint:
    """A forked copy of the worker at the start of an exercise, waiting to be told whether to run
    the exercise's reference once per seed (in children of its own) or to exit."""

    def __init__(self, shell, cells, start: int, stop: int, seeds: int, exercise: str, tests: list[int]):
        self.exercise, self.cells, self.tests = exercise, cells, tests
        command_read, self._command = os.pipe()
        self._results, result_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self._command)
            os.close(self._results)
            go = os.read(command_read, 1) == b"1"
            variants = range(1, seeds + 1) if go else []
            results = [forked(judge_reseeded, shell, cells, start, stop, k) for k in variants]
            with os.fdopen(result_write, "w") as pipe:
                pipe.write(json.dumps(results))
            os._exit(0)
        os.close(command_read)
        os.close(result_write)

    def release(self, run: bool) -> None:
        os.write(self._command, b"1" if run else b"0")
        os.close(self._command)
        if not run:
            os.close(self._results)
            os.waitpid(self.pid, 0)

    def verdicts(self) -> list[Verdict]:
        with os.fdopen(self._results) as pipe:
            results = json.loads(pipe.read() or "[]")
        os.waitpid(self.pid, 0)
        return [Verdict(self.exercise, f"the reference under seed variant {k}", kind=SEED,
                        **_settled(result, self.cells, self.tests))
                for k, result in enumerate(results, start=1)]


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

def judge(week: str, with_mutants: bool = False, seeds: int = 0) -> Report:
    """Judge `week`'s wrong and right answers (mutants, seeds) in a worker process in a throwaway folder."""
    answers: dict[str, list[tuple[str, str, str]]] = {}
    for kind, listed in ((WRONG, wrong_answers(week)), (RIGHT, right_answers(week))):
        for exercise, what, source in listed:
            answers.setdefault(exercise, []).append((kind, what, source))
    if with_mutants:
        for cell in read_source(week).cells:
            if is_solution(cell) and cell.cell_type == "code":
                answers.setdefault(grade_id(cell), []).extend(
                    (MUTANT, f"mutant {what}", source) for what, source in mutants(cell.source))
    with tempfile.TemporaryDirectory(prefix=f"judge-{week}-") as scratch:
        folder = working_copy(week, Path(scratch))
        (Path(scratch) / "answers.json").write_text(json.dumps({"answers": answers, "seeds": seeds}))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
                   MPLBACKEND="agg", PYDEVD_DISABLE_FILE_VALIDATION="1",
                   COURSE_GUARDS_STRICT="1")
        result = subprocess.run([sys.executable, "-m", "tests.judge", week, "--worker", scratch],
                                cwd=folder, env=env, capture_output=True, text=True)
        output = Path(scratch) / "report.json"
        if result.returncode or not output.exists():
            log = f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            raise RuntimeError(f"the judge of {week} failed:\n{log}")
        data = json.loads(output.read_text())
    return Report(data["week"], data["reference"], [Verdict(**v) for v in data["verdicts"]], data["seconds"])


def _worker_main(week: str, scratch: Path) -> None:
    job = json.loads((scratch / "answers.json").read_text())
    report = worker(week, job["answers"], job["seeds"])
    data = {"week": report.week, "reference": report.reference, "seconds": report.seconds,
            "verdicts": [asdict(v) for v in report.verdicts]}
    (scratch / "report.json").write_text(json.dumps(data))


def print_report(report: Report) -> int:
    short = {cell: points for cell, points in report.reference.items() if points[0] != points[1]}
    for cell, (earned, possible) in short.items():
        print(f"REFERENCE SHORT  {cell}: {earned:g}/{possible:g}")
    labels = {WRONG: ("caught", "MISSED"), MUTANT: ("caught", "MISSED"), RIGHT: ("full", "LOST"),
              SEED: ("full", "LOST")}
    for verdict in report.verdicts:
        mark = labels[verdict.kind][not verdict.as_expected]
        reason = next(iter(verdict.errors.values()), "") if not verdict.as_expected else ""
        print(f"{mark:7} {verdict.kind:6} {verdict.exercise:24} {verdict.earned:g}/{verdict.possible:g}  "
              f"{verdict.what}" + (f"\n          {reason[:150]}" if reason else ""))
    bad = [verdict for verdict in report.verdicts if not verdict.as_expected]
    seeded = sorted({verdict.exercise for verdict in report.verdicts if verdict.kind == SEED})
    print(f"{report.week}: {len(report.verdicts) - len(bad)}/{len(report.verdicts)} as expected, reference "
          f"short on {len(short)} cells, {report.seconds:.1f} s; exercises that draw random numbers: "
          f"{', '.join(seeded) or 'none checked'}")
    return 1 if bad or short else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=".venv/bin/python -m tests.judge",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("week")
    parser.add_argument("--mutants", action="store_true", help="also one-line mutants of the solutions")
    parser.add_argument("--seeds", type=int, default=0, metavar="N",
                        help="also the reference of every exercise that draws random numbers, under N seeds")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker_main(args.week, args.worker)
        return 0
    return print_report(judge(args.week, args.mutants, args.seeds))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
