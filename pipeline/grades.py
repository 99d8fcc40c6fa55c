"""Grades an instructor can act on: a CSV with a column per graded cell, and a per-week report.

    python3 course.py grades --to grades.csv     # one row per student: every cell's score, the totals
    python3 course.py report week03              # reports/week03.png and a table in the terminal

The scores come from nbgrader's gradebook; the failure messages of the report from the autograded
notebooks (the first line of each failed test cell's error).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from pipeline.course import Course
from pipeline.execute import TAMPERING
from pipeline.notebooks import cells_of, grade_id, is_test


def scores(course: Course, gradebook: Gradebook, week: str) -> tuple[dict[str, float], dict[str, dict]]:
    """({graded cell id: points possible} in notebook order, {student: {cell: score}}) of a week."""
    try:
        cells = {cell.name: cell.max_score for cell in gradebook.find_notebook(week, week).grade_cells}
    except MissingEntry:
        return {}, {}
    release = course.release_notebook(week)
    order = [grade_id(cell) for cell in nbformat.read(release, 4).cells] if release.exists() else []
    cells = dict(sorted(cells.items(), key=lambda item: order.index(item[0]) if item[0] in order else 0))
    table = {}
    for submission in gradebook.assignment_submissions(week):
        notebook = gradebook.find_submission_notebook(week, week, submission.student.id)
        table[submission.student.id] = {grade.name: grade.score for grade in notebook.grades}
    return cells, table


def export(course: Course, target: Path) -> int:
    """One row per student: `weekNN/<cell>` scores, `weekNN` and `weekNN max`, `total` and `max`,
    and `review`: the weeks whose notebook changed how its tests run, with what was found.

    A student with no submission for a week gets 0 there. Returns the number of rows.
    """
    columns, rows = ["student_id"], {}
    with course.gradebook() as gradebook:
        for student in gradebook.students:
            rows[student.id] = {"student_id": student.id, "total": 0.0, "max": 0.0, "review": ""}
        for week in course.weeks():
            cells, table = scores(course, gradebook, week)
            if not cells:
                continue
            columns += [f"{week}/{cell}" for cell in cells] + [week, f"{week} max"]
            for student, row in rows.items():
                got = table.get(student, {})
                row.update({f"{week}/{cell}": got.get(cell, 0.0) for cell in cells})
                row[week] = sum(got.get(cell, 0.0) for cell in cells)
                row[f"{week} max"] = sum(cells.values())
                row["total"] += row[week]
                row["max"] += row[f"{week} max"]
            for student, why in needs_review(course, week).items():
                if student in rows:
                    said = [rows[student]["review"], f"{week}: {why}"]
                    rows[student]["review"] = "; ".join(filter(None, said))
    with open(target, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*columns, "total", "max", "review"])
        writer.writeheader()
        writer.writerows(rows[student] for student in sorted(rows))
    return len(rows)


@dataclass
class CellReport:
    cell: str
    possible: float
    full: int = 0
    partial: int = 0
    zero: int = 0
    failures: Counter = field(default_factory=Counter)


def report(course: Course, week: str) -> list[CellReport]:
    """Per graded cell of `week`: how many earned full, partial and no points, and why they failed."""
    with course.gradebook() as gradebook:
        cells, table = scores(course, gradebook, week)
    found = {cell: CellReport(cell, possible) for cell, possible in cells.items()}
    for student, got in table.items():
        for cell, score in got.items():
            item = found[cell]
            if score >= item.possible:
                item.full += 1
            elif score > 0:
                item.partial += 1
            else:
                item.zero += 1
        for cell, message in failures(course.autograded / student / week / f"{week}.ipynb").items():
            if cell in found:
                found[cell].failures[message] += 1
    return list(found.values())


def needs_review(course: Course, week: str) -> dict[str, str]:
    """{student: what was found} for the notebooks of `week` whose tests were not trusted."""
    found = {}
    for notebook in sorted(course.autograded.glob(f"*/{week}/{week}.ipynb")):
        reasons = [output.traceback[-1].removeprefix("found: ")
                   for cell in cells_of(notebook) if is_test(cell)
                   for output in cell.get("outputs", []) if output.get("ename") == TAMPERING]
        if reasons:
            found[notebook.parts[-3]] = reasons[0]
    return found


def failures(notebook: Path) -> dict[str, str]:
    """{test cell id: first line of its error} in an autograded notebook."""
    found = {}
    for cell in cells_of(notebook):
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"] if is_test(cell) else []
        if errors:
            found[grade_id(cell)] = f"{errors[0].ename}: {errors[0].evalue}".splitlines()[0][:120]
    return found


def print_table(week: str, cells: list[CellReport], review: dict[str, str] | None = None) -> None:
    print(f"{week}: {'cell':28} {'full':>5} {'part':>5} {'zero':>5}  most common failure")
    for item in cells:
        common = item.failures.most_common(1)
        reason = f"{common[0][1]}x {common[0][0]}" if common else ""
        print(f"{'':7}{item.cell:28} {item.full:5} {item.partial:5} {item.zero:5}  {reason[:90]}")
    for student, why in (review or {}).items():
        print(f"review {student}: its notebook changed how tests run ({why})")


def plot(week: str, cells: list[CellReport], target: Path) -> Path:
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    names = [item.cell for item in cells][::-1]
    parts = [("full", "#2e7d32"), ("partial", "#f9a825"), ("zero", "#c62828")]
    figure, ax = plt.subplots(figsize=(13, 0.4 * len(cells) + 1.6))
    left = [0.0] * len(cells)
    for name, color in parts:
        counts = [getattr(item, name) for item in cells][::-1]
        totals = [max(item.full + item.partial + item.zero, 1) for item in cells][::-1]
        shares = [count / total for count, total in zip(counts, totals, strict=True)]
        ax.barh(names, shares, left=left, color=color, label=name)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    for row, item in enumerate(cells[::-1]):
        common = item.failures.most_common(1)
        if common:
            ax.text(1.01, row, f"{common[0][1]}x {common[0][0]}"[:80], va="center", fontsize=8,
                    transform=ax.get_yaxis_transform())
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of submissions")
    ax.set_title(f"{week}: points per graded cell, and the most common failure", pad=24)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, frameon=False, fontsize=9)
    figure.tight_layout()
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=110)
    plt.close(figure)
    return target
