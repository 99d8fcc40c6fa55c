"""The course's datasets: fetch them into DATA/, verify them, hand out their paths.

Every notebook loads data through `path()`, so a missing or damaged dataset always ends in the
same clear message instead of a `FileNotFoundError` deep inside pandas or PIL.

Where the files come from, first match wins:
1. the folder named by the environment variable ``COURSE_DATA_MIRROR`` (a copy of the course's
   DATA folder, e.g. on a lab server or a USB stick; tests and CI use it);
2. the public course repository (a sparse, blob-filtered ``git clone`` of its DATA folder).

Every file is checked against the manifest in ``helpers/manifests/<dataset>.sha256`` before it
is moved into DATA/. A dataset is staged in a temporary folder beside its destination and moved
into place only when all of it verified, so an interrupted or failed fetch leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = Path(__file__).resolve().parent / "manifests"
MIRROR_VARIABLE = "COURSE_DATA_MIRROR"
DATA_VARIABLE = "COURSE_DATA_DIR"
PUBLIC_REPOSITORY = "https://github.com/SimeonHristov99/DL_24-25.git"
PUBLIC_FOLDER = "DATA"
FETCH_COMMAND = "python3 course.py data"

DATASETS = {
    "water": "water potability (water_train.csv, water_test.csv)",
    "salaries": "data science salaries (ds_salaries.csv)",
    "clouds": "clouds images (clouds/clouds_train, clouds/clouds_test)",
    "omniglot": "Omniglot characters (omniglot_train/, omniglot_test/)",
}


class DatasetError(RuntimeError):
    """A dataset is missing or does not match its manifest."""


def data_dir() -> Path:
    return Path(os.environ.get(DATA_VARIABLE, ROOT / "DATA"))


@cache
def manifest(name: str) -> dict[str, str]:
    """Map each file of dataset `name` (relative to DATA/) to its SHA-256."""
    entries = {}
    for line in (MANIFESTS / f"{name}.sha256").read_text(encoding="utf-8").splitlines():
        digest, relative = line.split("  ", 1)
        entries[relative] = digest
    return entries


def top_level(name: str) -> list[str]:
    """The files and folders directly under DATA/ that dataset `name` owns."""
    return sorted({relative.split("/", 1)[0] for relative in manifest(name)})


def dataset_of(relative: str) -> str:
    first = relative.strip("/").split("/", 1)[0]
    for name in DATASETS:
        if first in top_level(name):
            return name
    known = ", ".join(item for name in DATASETS for item in top_level(name))
    raise DatasetError(f"'{relative}' belongs to no course dataset. Known: {known}.")


def sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def problems(name: str, root: Path) -> list[str]:
    """What is wrong with dataset `name` under `root`: missing or altered files."""
    found = []
    for relative, digest in manifest(name).items():
        file = root / relative
        if not file.is_file():
            found.append(f"missing {relative}")
        elif sha256(file) != digest:
            found.append(f"altered {relative}")
    return found


def explain(name: str, found: list[str]) -> str:
    shown = "; ".join(found[:3]) + (f"; and {len(found) - 3} more" if len(found) > 3 else "")
    return (
        f"The {DATASETS[name]} dataset is not ready in {data_dir()}: {shown}.\n"
        f"Fetch it with:  {FETCH_COMMAND} {name}\n"
        f"(offline: set {MIRROR_VARIABLE} to a folder holding a copy of the course's DATA folder)."
    )


@cache
def _verified(name: str, where: str) -> bool:
    found = problems(name, Path(where))
    if found:
        raise DatasetError(explain(name, found))
    return True


def path(relative: str) -> Path:
    """Path of a file or folder under DATA/, after checking its whole dataset.

    >>> path("water_train.csv")          # doctest: +SKIP
    PosixPath('.../DATA/water_train.csv')
    """
    name = dataset_of(relative)
    _verified(name, str(data_dir()))
    return data_dir() / relative.strip("/")


def fetch(name: str, mirror: Path | None = None) -> Path:
    """Put dataset `name` into DATA/ unless it is there and intact. Returns DATA/."""
    if name not in DATASETS:
        raise DatasetError(f"unknown dataset '{name}'; choose from {', '.join(DATASETS)}")
    target = data_dir()
    if not problems(name, target):
        return target
    target.mkdir(parents=True, exist_ok=True)
    mirror = mirror or _mirror_from_environment()
    with tempfile.TemporaryDirectory(prefix=f".fetch-{name}-", dir=target) as staging:
        staging = Path(staging)
        if mirror is not None:
            _copy_from(mirror, name, staging)
        else:
            _clone_public(name, staging)
        found = problems(name, staging)
        if found:
            raise DatasetError(f"the fetched copy of '{name}' does not match its manifest: "
                               + "; ".join(found[:3]))
        for item in top_level(name):
            _replace(staging / item, target / item)
    _verified.cache_clear()
    return target


def _mirror_from_environment() -> Path | None:
    value = os.environ.get(MIRROR_VARIABLE)
    if not value:
        return None
    mirror = Path(value).expanduser()
    if not mirror.is_dir():
        raise DatasetError(f"{MIRROR_VARIABLE}={value} is not a folder.")
    return mirror


def _copy_from(source: Path, name: str, staging: Path) -> None:
    for relative in manifest(name):
        file = source / relative
        if not file.is_file():
            raise DatasetError(f"the mirror {source} has no {relative} (dataset '{name}').")
        (staging / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, staging / relative)


def _clone_public(name: str, staging: Path) -> None:
    checkout = staging / ".checkout"
    git = ["git", "-c", "advice.detachedHead=false"]
    try:
        subprocess.run(git + ["clone", "--quiet", "--depth", "1", "--filter=blob:none", "--sparse",
                              PUBLIC_REPOSITORY, str(checkout)], check=True, timeout=600)
        folders = [f"{PUBLIC_FOLDER}/{item}" for item in top_level(name)]
        subprocess.run(git + ["-C", str(checkout), "sparse-checkout", "set", "--no-cone", *folders],
                       check=True, timeout=1800)
    except (OSError, subprocess.SubprocessError) as error:
        raise DatasetError(
            f"could not download '{name}' from {PUBLIC_REPOSITORY} ({error}). Without internet, "
            f"set {MIRROR_VARIABLE} to a folder holding a copy of the course's DATA folder."
        ) from error
    _copy_from(checkout / PUBLIC_FOLDER, name, staging)
    shutil.rmtree(checkout)


def _replace(new: Path, old: Path) -> None:
    """Move `new` onto `old`; whatever was at `old` is removed only after the move."""
    if old.exists():
        trash = old.with_name(f".old-{old.name}")
        shutil.rmtree(trash, ignore_errors=True)
        os.replace(old, trash)
        os.replace(new, old)
        shutil.rmtree(trash) if trash.is_dir() else trash.unlink()
    else:
        os.replace(new, old)
