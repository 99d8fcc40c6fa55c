"""The reader edition: each week as the book shows it, generated into `reader/weekNN/`.

The lecture runs in full, so every output is real; but the page shows the student's starter code
where a solution stands, and only the visible tests:

- a solution cell becomes two cells: the starter code (tag `skip-execution`, shown, not run)
  and the solution (tag `remove-cell`: it runs, so the tests below it pass, and leaves no trace);
- graded test cells lose their hidden block before anything runs.

With `course: {publish_solutions: true}` in `_config.yml` (after the deadline) the solution is
shown instead, folded (tag `hide-input`). Hidden tests are never published.
"""

from __future__ import annotations

import shutil

import nbformat

from pipeline.course import Course
from pipeline.notebooks import is_solution, is_test, read_source, student_view


def reader_notebook(course: Course, week: str, solutions: bool = False) -> nbformat.NotebookNode:
    notebook = read_source(week, course)
    cells = []
    for cell in notebook.cells:
        if is_test(cell):
            cells.append(student_view(cell))
        elif cell.cell_type == "code" and is_solution(cell):
            starter = _tagged(student_view(cell), "skip-execution")
            starter.id += "-starter"
            cells += [starter, _tagged(cell, "hide-input" if solutions else "remove-cell")]
        elif cell.cell_type == "markdown" and is_solution(cell) and not solutions:
            cells.append(student_view(cell))
        else:
            cells.append(cell)
    for cell in cells:
        cell.metadata.pop("nbgrader", None)
    notebook.cells = [*cells[:1], download_note(course, week), *cells[1:]]
    return notebook


def download_note(course: Course, week: str) -> nbformat.NotebookNode:
    """A line under the title linking to the student files (the site holds a copy of release/)."""
    names = [f"{week}.ipynb", *course.released_files(week)]
    links = ", ".join(f'<a href="../../{week}/{name}" download>{name}</a>' for name in names)
    cell = nbformat.v4.new_markdown_cell(
        f"*Work through this week yourself:* download {links} and open it in JupyterLab "
        "(see *Setup for students*).")
    cell.id = f"{week}-download"
    return cell


def _tagged(cell, tag: str):
    tags = cell.metadata.setdefault("tags", [])
    if tag not in tags:
        tags.append(tag)
    return cell


def write_reader_edition(course: Course, week: str) -> bool:
    """Write `reader/<week>/<week>.ipynb` and the week's other files. True when it changed."""
    folder = course.reader / week
    for name, item in course.released_files(week).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(item, folder / name)
    folder.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(reader_notebook(course, week, course.publish_solutions)) + "\n"
    target = folder / f"{week}.ipynb"
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return False  # unchanged: the book's execution cache stays valid
    target.write_text(text, encoding="utf-8")
    return True


def write_all(course: Course) -> list[str]:
    return [week for week in course.weeks() if write_reader_edition(course, week)]
