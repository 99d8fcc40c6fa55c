"""The gradebook in PostgreSQL (`course: {db_url: ...}` in `_config.yml`): release (which stores
the week in it), autograde, feedback, grades and report run unchanged against a real
server, started and stopped here in a temporary data directory, and give the SQLite scores."""

from __future__ import annotations

import csv
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from pipeline import grades
from pipeline.course import Course
from tests.support import batch_course, cell_scores, copy_of, pool_scores, run_ok

pytestmark = pytest.mark.xdist_group("cluster")

PROGRAMS = ["initdb", "pg_ctl", "createdb"]


def postgres_bin() -> Path | None:
    """The folder of PostgreSQL's server programs: on PATH, or where Debian puts them."""
    found = shutil.which("initdb")
    folders = [Path(found).resolve().parent] if found else []
    folders += [Path(folder) for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    return next((folder for folder in folders if all((folder / name).is_file() for name in PROGRAMS)), None)


def as_owner(owner: str | None, folder: Path, *command) -> None:
    """Run a PostgreSQL program as `owner` (it refuses root); fail with its output."""
    result = subprocess.run([str(part) for part in command], user=owner, cwd=folder, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, f"{command[0]} failed:\n{result.stdout}\n{result.stderr}"


@pytest.fixture(scope="module")
def database():
    """The URL of a fresh database on a server of its own, reached through a Unix socket only."""
    programs = postgres_bin()
    if programs is None:
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)")
    owner = "nobody" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="course-pg-"))
    folder.chmod(0o755)
    data = folder / "data"
    data.mkdir(mode=0o700)
    if owner:
        os.chown(data, pwd.getpwnam(owner).pw_uid, pwd.getpwnam(owner).pw_gid)
    try:
        as_owner(owner, folder, programs / "initdb", "-D", data, "-U", "grader", "-A", "trust", "--no-sync",
                 "-E", "UTF8", "--no-locale")
        options = f"-k {data} -c listen_addresses='' -F"  # its socket in its own folder; no TCP
        as_owner(owner, folder, programs / "pg_ctl", "-D", data, "-l", data / "log", "-o", options, "-w",
                 "start")
        try:
            as_owner(owner, folder, programs / "createdb", "-h", data, "-U", "grader", "gradebook")
            yield f"postgresql://grader@/gradebook?host={data}"
        finally:
            as_owner(owner, folder, programs / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def use_gradebook(course: Course, url: str) -> Course:
    config = course.root / "_config.yml"
    settings = yaml.safe_load(config.read_text())
    settings.setdefault("course", {})["db_url"] = url
    config.write_text(yaml.safe_dump(settings))
    (course.root / "gradebook.db").unlink(missing_ok=True)
    return Course(course.root)  # reads the new settings


@pytest.fixture(scope="module")
def postgres_course(database):
    """The batch released, graded, given feedback and exported with the gradebook in PostgreSQL."""
    course = use_gradebook(copy_of(batch_course(), "postgres-"), database)
    outputs = {}
    for command in (["release", "week90"], ["autograde", "week90", "--cell-timeout", "10"],
                    ["feedback", "week90"], ["grades", "--to", "grades.csv"]):
        outputs[command[0]] = run_ok(course, *command).stdout
    return course, outputs


def test_postgres_gradebook_gives_the_sqlite_scores(postgres_course):
    course, _ = postgres_course
    assert not (course.root / "gradebook.db").exists()
    assert cell_scores(course) == pool_scores()


def test_every_command_works_against_postgres(postgres_course):
    course, outputs = postgres_course
    with open(course.root / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert {student: float(row["week90"]) for student, row in rows.items()} == {
        student: sum(cells.values()) for student, cells in pool_scores().items()}
    assert course.release_notebook("week90").is_file()
    assert (course.feedback / "wrong" / "week90" / "week90.html").is_file()
    report = {cell.cell: (cell.full, cell.partial, cell.zero) for cell in grades.report(course, "week90")}
    assert report == {"double_tests": (1, 0, 3), "square_tests": (3, 0, 1)}
