"""Each role installs its own part of the course's environment (pyproject.toml's groups), and
requirements.txt, what `course.py build` installs, is all of them together, pinned the same way."""

import tomllib

from packaging.requirements import Requirement

from tests.support import COURSE

NOT_FOR_STUDENTS = {"dask", "distributed", "psycopg2-binary", "playwright", "pytest", "pytest-xdist", "ruff",
                    "codespell", "black", "jupyter-book", "jupytext", "jupyterhub"}


def groups() -> dict[str, list[Requirement]]:
    """Each group's own requirements (those naming the course itself are other groups)."""
    with open(COURSE.root / "pyproject.toml", "rb") as handle:
        project = tomllib.load(handle)["project"]
    return {group: [Requirement(line) for line in lines if not line.startswith(project["name"])]
            for group, lines in project["optional-dependencies"].items()}


def pinned() -> list[Requirement]:
    lines = (COURSE.root / "requirements.txt").read_text().splitlines()
    return [Requirement(line.split("#")[0]) for line in lines if line.split("#")[0].strip()]


def test_requirements_are_every_roles_part_together():
    together = sorted(str(requirement) for part in groups().values() for requirement in part)
    assert together == sorted(str(requirement) for requirement in pinned())


def test_a_student_gets_the_notebooks_and_lab_with_validate_and_nothing_to_grade_or_test_with():
    student = {requirement.name: str(requirement) for requirement in groups()["student"]}
    assert {"nbgrader", "jupyterlab", "ipykernel", "scikit-image", "matplotlib"} <= set(student)
    assert student["torch"] == "torch==2.14.1" and student["torchvision"] == "torchvision==0.29.1"
    assert not NOT_FOR_STUDENTS & set(student)
