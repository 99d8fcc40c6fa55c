"""How JupyterHub starts each classroom member's server (`course.py hub`).

A student's server runs as the student's own system account, in their home, with the students'
Jupyter settings: the Assignments panel and Validate, no instructor tools. An instructor's server
runs as the account that owns the course folder (the one that runs `course.py`, whose gradebook,
`source/` and `submitted/` these are), in the course folder, with Formgrader and Create Assignment.
Both run the course's own environment: the `jupyterhub-singleuser` beside this Python.
"""

from __future__ import annotations

import os
import pwd

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from traitlets import Dict, Set, Unicode

from pipeline import run


class ClassroomSpawner(LocalProcessSpawner):
    instructors = Set(help="hub names of the instructors").tag(config=True)
    course_root = Unicode(help="the course folder: the instructors' servers start there").tag(config=True)
    settings_folders = Dict(help="{role: folder of that role's Jupyter settings}").tag(config=True)

    @property
    def role(self) -> str:
        return "instructor" if self.user.name in self.instructors else "student"

    @property
    def account(self) -> pwd.struct_passwd:
        """The system account the server runs as: the student's own, or the course folder's owner."""
        if self.role == "instructor":
            return pwd.getpwuid(os.stat(self.course_root).st_uid)
        return pwd.getpwnam(self.user.name)

    def make_preexec_fn(self, name):
        return set_user_setuid(self.account.pw_name)

    def user_env(self, env):
        account = self.account
        env.update(USER=account.pw_name, HOME=account.pw_dir, SHELL=account.pw_shell or "/bin/bash")
        return env

    def get_env(self):
        env = super().get_env()
        env["PATH"] = f"{run.BIN}:/usr/local/bin:/usr/bin:/bin"  # the course's programs first (nbgrader's)
        env["JUPYTER_CONFIG_PATH"] = self.settings_folders[self.role]
        if self.role == "instructor":
            env["JUPYTERHUB_ROOT_DIR"] = self.course_root
        return env

    def get_args(self):
        args = super().get_args()
        return [*args, "--allow-root"] if self.account.pw_uid == 0 else args

