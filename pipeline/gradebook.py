"""What a week is in the gradebook, carried to a grading worker and stamped into its own gradebook.

`course.py release` stores each week in the course's gradebook: its cells, hidden tests, points and
checksums. A worker grades against exactly these rows (never the source as it is now), in a
throwaway SQLite gradebook of its own, so the course's gradebook has one writer: the head.
"""

from __future__ import annotations

from nbgrader.api import Base, Gradebook, MissingEntry
from sqlalchemy import create_engine, select, text

WEEK_TABLES = ["course", "assignment", "notebook", "base_cell", "source_cell", "grade_cells",
               "solution_cells", "task_cells"]  # in the order they refer to each other


def knows(db_url: str, week: str) -> bool:
    """Whether the gradebook holds the week's notebook (written by `course.py release`)."""
    with Gradebook(db_url) as gradebook:
        try:
            return bool(gradebook.find_assignment(week).notebooks)
        except MissingEntry:
            return False


def week_rows(db_url: str, week: str) -> dict[str, list[dict]]:
    """The rows that define `week` in a gradebook, table by table."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            assignment = _rows(connection, "assignment", "name", [week])[0]
            found = {"assignment": [assignment],
                     "course": _rows(connection, "course", "id", [assignment["course_id"]]),
                     "notebook": _rows(connection, "notebook", "assignment_id", [assignment["id"]])}
            notebooks = [notebook["id"] for notebook in found["notebook"]]
            for table in ("base_cell", "source_cell"):
                found[table] = _rows(connection, table, "notebook_id", notebooks)
            cells = [cell["id"] for cell in found["base_cell"]]
            for table in ("grade_cells", "solution_cells", "task_cells"):
                found[table] = _rows(connection, table, "id", cells)
    finally:
        engine.dispose()
    return found


def _rows(connection, table: str, column: str, values: list) -> list[dict]:
    chosen = Base.metadata.tables[table]
    query = select(chosen).where(chosen.c[column].in_(values)).order_by(*chosen.primary_key.columns)
    return [dict(row) for row in connection.execute(query).mappings()]


def schema(db_url: str) -> str:
    """The alembic version nbgrader stamped on a gradebook."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()


def new_gradebook(db_url: str, stamp: str, rows: dict[str, list[dict]]) -> None:
    """A gradebook as nbgrader makes one, stamped with `stamp` (nbgrader itself would start `alembic
    heads` in a subprocess on every worker to learn it), holding `rows`."""
    engine = create_engine(db_url)
    try:
        Base.metadata.create_all(bind=engine)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:stamp)"),
                               {"stamp": stamp})
            for table in WEEK_TABLES:
                if rows[table]:
                    connection.execute(Base.metadata.tables[table].insert(), rows[table])
    finally:
        engine.dispose()


def scores(db_url: str, week: str, student: str) -> dict[str, float | None]:
    """{notebook/cell: autograded score} of a submission as a gradebook holds it (a grader's manual
    score, kept by nbgrader, does not count: a worker's gradebook has none)."""
    with Gradebook(db_url) as gradebook:
        submission = gradebook.find_submission(week, student)
        return {f"{notebook.name}/{grade.name}": grade.auto_score for notebook in submission.notebooks
                for grade in notebook.grades}


def add_students(db_url: str, names: list[str]) -> None:
    with Gradebook(db_url) as gradebook:
        for name in names:
            gradebook.update_or_create_student(name)
