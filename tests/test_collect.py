"""`course.py collect`: a messy LMS zip becomes submitted/<student>/<week>/, problems by name."""

from __future__ import annotations

import zipfile

import nbformat

from pipeline.copies import copy_course
from tests.support import COURSE, run_ok


def messy_zip(path, week="week01"):
    release = COURSE.release_notebook(week).read_bytes()
    other = COURSE.release_notebook("week02").read_bytes()
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("Ada Lovelace_1001_assignsubmission_file_/week01.ipynb", release)
        bundle.writestr("Alan Turing_1002_assignsubmission_file_/my work (final).ipynb", release)
        bundle.writestr("Grace Hopper_1003_assignsubmission_file_/week01.ipynb", release)
        bundle.writestr("Grace Hopper_1003_assignsubmission_file_/week01 (1).ipynb", release)
        bundle.writestr("Edsger Dijkstra_1004_assignsubmission_file_/notes.pdf", b"%PDF-1.4")
        bundle.writestr("Barbara Liskov_1005_assignsubmission_file_/week01.ipynb", b'{"cells": [')
        bundle.writestr("John Backus_1006_assignsubmission_file_/week01.ipynb", other)
        bundle.writestr("readme.txt", b"exported from the LMS")
        bundle.writestr("__MACOSX/._week01.ipynb", b"\0")
    return path


def test_a_messy_zip_is_collected_and_every_problem_named(tmp_path):
    course = copy_course(tmp_path, ["week01", "week02"])
    archive = messy_zip(tmp_path / "submissions.zip")
    output = run_ok(course, "collect", "week01", str(archive)).stdout
    collected = sorted(p.parts[-3] for p in course.submitted.glob("*/week01/week01.ipynb"))
    assert collected == ["1001", "1002"]
    assert "collected 2 submissions" in output
    for expected in ["(student 1003): a second notebook", "(student 1004): not a notebook",
                     "(student 1005): not a readable notebook", "(student 1006): not the week01 notebook",
                     "readme.txt: the name does not match"]:
        assert expected in output, output
    nbformat.read(course.submitted / "1002" / "week01" / "week01.ipynb", 4)


def test_nothing_collected_is_overwritten_without_force(tmp_path):
    course = copy_course(tmp_path, ["week01", "week02"])
    archive = messy_zip(tmp_path / "submissions.zip")
    run_ok(course, "collect", "week01", str(archive))
    mine = course.submitted / "1001" / "week01" / "week01.ipynb"
    mine.write_text("graded already")
    again = run_ok(course, "collect", "week01", str(archive)).stdout
    assert "1001: already collected" in again and mine.read_text() == "graded already"
    run_ok(course, "collect", "week01", str(archive), "--force")
    assert mine.read_text() != "graded already"
