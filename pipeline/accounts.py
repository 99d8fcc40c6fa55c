"""One system account per student: JupyterHub starts each student's server as that account, so
the operating system itself keeps students out of each other's homes.

An account made here has a private home (mode 700), a group of its own, no password (students
log in through the hub only) and `MARK` as its comment; `remove` deletes only accounts with it.
A student who already has an account on this machine keeps it.
"""

from __future__ import annotations

import os
import pwd
import subprocess
from pathlib import Path

from pipeline.course import COURSE_ID

MARK = f"{COURSE_ID} classroom"
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"  # where useradd, userdel and runuser are


def system(*command: str) -> subprocess.CompletedProcess:
    """An account-managing program, found where the system keeps it whatever PATH says."""
    return subprocess.run(command, capture_output=True, text=True, cwd="/",
                          env=dict(os.environ, PATH=f"{SYSTEM_PATH}:{os.environ.get('PATH', '')}"))


def require_root(why: str) -> None:
    if os.geteuid() != 0:
        raise SystemExit(f"{why}: run it as root (sudo python3 course.py ...). Without root the classroom "
                         "can't give each student an account of their own.")


def exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def create(name: str, home: Path) -> bool:
    """Make `name`'s account with its home at `home`; False when the account was already there."""
    if exists(name):
        return False
    home.parent.mkdir(parents=True, exist_ok=True)
    made = system("useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash",
                  "--comment", MARK, "--user-group", name)
    if made.returncode != 0:
        raise SystemExit(f"could not make the account of {name}: {made.stderr.strip()}")
    os.chmod(home, 0o700)
    return True


def made_here(name: str) -> bool:
    return exists(name) and pwd.getpwnam(name).pw_gecos == MARK


def remove(names: list[str], homes_too: bool = False) -> list[str]:
    """Delete the accounts of `names` that this module made (their homes with `homes_too`)."""
    removed = []
    for name in names:
        if made_here(name):
            system("userdel", *(["--remove"] if homes_too else []), name)
            if not exists(name):
                removed.append(name)
    return removed
