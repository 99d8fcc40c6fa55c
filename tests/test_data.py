"""helpers.data: fetch from a mirror, verify, write atomically, fail with one clear message."""

from __future__ import annotations

import shutil

import pytest

from helpers import data

SMALL = ["water", "salaries"]


@pytest.fixture
def empty_data(tmp_path, monkeypatch):
    target = tmp_path / "DATA"
    monkeypatch.setenv(data.DATA_VARIABLE, str(target))
    data._verified.cache_clear()
    yield target
    data._verified.cache_clear()


@pytest.fixture
def mirror(tmp_path):
    """A private copy of the small datasets (from the project's DATA/), safe to damage."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    for name in SMALL:
        for relative in data.manifest(name):
            shutil.copy(data.ROOT / "DATA" / relative, folder / relative)
    return folder


def test_missing_dataset_names_it_and_the_command_and_creates_nothing(empty_data):
    with pytest.raises(data.DatasetError) as error:
        data.path("water_train.csv")
    message = str(error.value)
    assert "water potability" in message and "python3 course.py data water" in message
    assert "missing water_train.csv" in message
    assert not empty_data.exists()


def test_fetch_from_mirror_then_path_works(empty_data, mirror):
    data.fetch("water", mirror)
    assert data.path("water_test.csv").read_bytes() == (mirror / "water_test.csv").read_bytes()
    assert sorted(p.name for p in empty_data.iterdir()) == ["water_test.csv", "water_train.csv"]


def test_mirror_from_environment_variable(empty_data, mirror, monkeypatch):
    monkeypatch.setenv(data.MIRROR_VARIABLE, str(mirror))
    data.fetch("salaries")
    assert data.path("ds_salaries.csv").is_file()


def test_corrupt_mirror_leaves_nothing_behind(empty_data, mirror):
    (mirror / "water_test.csv").write_text("ph,Potability\n0.5,1\n")
    with pytest.raises(data.DatasetError, match="does not match its manifest"):
        data.fetch("water", mirror)
    assert list(empty_data.iterdir()) == []


def test_interrupted_fetch_leaves_nothing_behind(empty_data, mirror, monkeypatch):
    copied, copy = [], shutil.copyfile

    def copy_then_fail(source, target, **options):
        if copied:
            raise KeyboardInterrupt
        copied.append(copy(source, target))

    monkeypatch.setattr(data.shutil, "copyfile", copy_then_fail)
    with pytest.raises(KeyboardInterrupt):
        data.fetch("water", mirror)
    assert list(empty_data.iterdir()) == []


def test_altered_file_is_reported_by_path(empty_data, mirror):
    data.fetch("water", mirror)
    (empty_data / "water_train.csv").write_text("tampered")
    data._verified.cache_clear()
    with pytest.raises(data.DatasetError, match="altered water_train.csv"):
        data.path("water_train.csv")


def test_refetch_repairs_an_altered_dataset(empty_data, mirror):
    data.fetch("water", mirror)
    (empty_data / "water_train.csv").write_text("tampered")
    data.fetch("water", mirror)
    assert data.problems("water", empty_data) == []


def test_unknown_names_are_refused(empty_data):
    with pytest.raises(data.DatasetError, match="belongs to no course dataset"):
        data.path("iris.csv")
    with pytest.raises(data.DatasetError, match="unknown dataset"):
        data.fetch("iris")


def test_mirror_missing_a_file_is_named(empty_data, mirror):
    (mirror / "water_train.csv").unlink()
    with pytest.raises(data.DatasetError, match="has no water_train.csv"):
        data.fetch("water", mirror)
    assert list(empty_data.iterdir()) == []


def test_every_dataset_of_the_mirror_is_in_the_manifests():
    assert set(data.DATASETS) == {p.stem for p in data.MANIFESTS.glob("*.sha256")}
