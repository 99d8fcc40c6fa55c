"""`python3 course.py hub`: a classroom on this machine, on JupyterHub.

    python3 course.py hub --init     # an example roster.csv and the classroom section of _config.yml
    sudo python3 course.py hub       # accounts, exchange, JupyterHub on http://<this machine>:8000

Starting it (as root, since it makes accounts and starts servers as them):

1. reads the roster (`pipeline.classroom`) and makes each student's account and home
   (`pipeline.accounts`); tells the gradebook who the students are;
2. makes the exchange folder with the mode nbgrader needs (`pipeline.exchange`);
3. closes the course's private parts to other accounts: what the grading sandbox hides from a
   submission (sources with solutions and hidden tests, hand-ins, gradebook, git history), the
   roster and the grades;
4. writes each role's Jupyter settings: students get the Assignments panel and Validate, not
   nbgrader's instructor tools; instructors get Formgrader and Create Assignment too;
5. checks that a student's account can run the course's environment, then runs JupyterHub with
   its proxy, the roster's logins (`pipeline.logins`) and one server per member
   (`pipeline.spawner`).

Ctrl-C stops the hub and every server. The exchange, the homes and the hub's state stay: started
again mid-week, nothing is lost, and students' login cookies still hold.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

from pipeline import accounts, exchange, run
from pipeline.classroom import EXAMPLE_ROSTER, EXAMPLE_SETTINGS, Classroom, RosterError
from pipeline.course import COURSE_ID, Course
from pipeline.sandbox import HIDDEN, HIDDEN_FILES

CODE_ROOT = Path(__file__).resolve().parent.parent  # its package.json names the proxy
PROXY = CODE_ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
PRIVATE_FOLDERS = ["submitted", "autograded", "feedback", "reports"]  # made private if missing
PRIVATE = list(dict.fromkeys([*HIDDEN, *HIDDEN_FILES, *PRIVATE_FOLDERS, "grades.csv"]))
NEWS = "@jupyterlab/apputils-extension:announcements"  # asks each new user about Jupyter's news
PANEL_AND_VALIDATE = {"nbgrader.server_extensions.assignment_list": True,  # everyone's
                      "nbgrader.server_extensions.validate_assignment": True}


# ---- `--init` ------------------------------------------------------------------------------------

def init(course: Course) -> list[str]:
    """An example roster and the `classroom:` settings, where missing; what was written."""
    written = []
    roster = course.root / "roster.csv"
    if not roster.exists():
        roster.write_text(EXAMPLE_ROSTER)
        roster.chmod(0o600)
        written.append("roster.csv: an instructor and two students; edit it (it is never committed)")
    config = course.root / "_config.yml"
    if Classroom.of(course) is None:
        lines = config.read_text(encoding="utf-8").splitlines(keepends=True)
        at = _end_of_course_section(lines)
        if at is None:
            lines, at = [*lines, "\ncourse:\n"], len(lines) + 1
        lines = [*lines[:at], EXAMPLE_SETTINGS, *lines[at:]]
        config.write_text("".join(lines), encoding="utf-8")
        written.append("_config.yml: the classroom settings (course: classroom:)")
    return written


def _end_of_course_section(lines: list[str]) -> int | None:
    """The index after the last line of `_config.yml`'s `course:` section (None: there is none)."""
    start = next((i for i, line in enumerate(lines) if line.rstrip() == "course:"), None)
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and lines[end].startswith((" ", "#")):
        end += 1
    return end


# ---- setting up ----------------------------------------------------------------------------------

def classroom_of(course: Course) -> Classroom:
    classroom = Classroom.of(course)
    if classroom is None:
        raise SystemExit("no classroom in _config.yml: `python3 course.py hub --init` writes an example "
                         "roster and the settings to edit")
    return classroom


def set_up(course: Course, classroom: Classroom) -> list[str]:
    """Everything the hub needs on this machine (as root); a line per thing done."""
    accounts.require_root("course.py hub makes an account per student and starts servers as them")
    try:
        members = classroom.roster()
    except RosterError as error:
        raise SystemExit(str(error)) from None
    students = [member for member in members if member.role == "student"]
    made = [member.id for member in students if accounts.create(member.id, classroom.home(member.id))]
    done = [f"accounts made: {', '.join(made) or 'none (all there)'}; "
            f"{len(students)} students, homes in {classroom.homes}"]
    exchange.prepare(classroom)
    done.append(f"exchange: {classroom.exchange} (mode 1777)")
    closed = close_private_parts(course, classroom)
    done.append(f"closed to other accounts: {', '.join(closed)}")
    write_role_settings(course, classroom)
    known_to_gradebook(course, students)
    classroom.state.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(classroom.state, 0o700)
    return done


def close_private_parts(course: Course, classroom: Classroom) -> list[str]:
    """What students must never read, mode go-rwx; the missing private folders made so."""
    owner = os.stat(course.root)
    for name in PRIVATE_FOLDERS:
        folder = course.root / name
        if not folder.exists():
            folder.mkdir(mode=0o700)
            os.chown(folder, owner.st_uid, owner.st_gid)
    closed = []
    for path in [*(course.root / name for name in PRIVATE), classroom.roster_file]:
        if path.exists() and not path.is_symlink():
            path.chmod(path.stat().st_mode & 0o700)
            closed.append(path.name)
    return closed


def write_role_settings(course: Course, classroom: Classroom) -> None:
    """Each role's Jupyter settings folder (JUPYTER_CONFIG_PATH of its servers): nbgrader's tools as
    `course.py lab` sets them, with the Assignments panel and Validate on for everyone; nbgrader's
    settings; no pop-up asking about Jupyter's news."""
    from pipeline.lab import configure

    for role in ("student", "instructor"):
        folder = classroom.settings_of / role
        shutil.rmtree(folder, ignore_errors=True)
        configure(instructor=role == "instructor", etc=folder)
        _change(folder / "labconfig" / "page_config.json",
                lambda settings: settings["disabledExtensions"].update({NEWS: True}))
        _change(folder / "jupyter_server_config.d" / "nbgrader.json",
                lambda settings: settings["ServerApp"]["jpserver_extensions"].update(PANEL_AND_VALIDATE))
        (folder / "nbgrader_config.py").write_text(nbgrader_settings(course, classroom, role))
    for path in [classroom.settings_of, *classroom.settings_of.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _change(file: Path, change) -> None:
    settings = json.loads(file.read_text())
    change(settings)
    file.write_text(json.dumps(settings, indent=2) + "\n")


def nbgrader_settings(course: Course, classroom: Classroom, role: str) -> str:
    if role == "instructor":
        return ("# Written by `course.py hub`: an instructor's nbgrader is the course's own.\n"
                f"load_subconfig({str(course.root / 'nbgrader_config.py')!r})  # noqa: F821\n")
    return ("# Written by `course.py hub`: nbgrader in a student's server (Assignments panel, Validate).\n"
            "c = get_config()  # noqa: F821\n"
            f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
            f"c.Exchange.root = {str(classroom.exchange)!r}\n")


def known_to_gradebook(course: Course, students) -> None:
    """The roster's students in the gradebook (Formgrader lists them; grades.csv has their rows)."""
    with course.gradebook() as gradebook:
        for member in students:
            gradebook.update_or_create_student(member.id, first_name=member.first_name or None,
                                               last_name=member.last_name or None,
                                               email=member.email or None)
    database = course.root / "gradebook.db"
    if database.exists():
        owner = os.stat(course.root)
        os.chown(database, owner.st_uid, owner.st_gid)
        database.chmod(0o600)


def check_environment(classroom: Classroom) -> None:
    """A student's account must be able to run the course's environment, or no server starts."""
    students = classroom.students()
    if not students:
        return
    student = students[0]
    probe = [str(run.BIN / "python"), "-c", "import jupyterhub, nbgrader, helpers"]
    found = accounts.system("runuser", "-u", student, "--", *probe)
    if found.returncode != 0:
        why = (found.stderr.strip().splitlines() or ["?"])[-1]
        raise SystemExit(f"the account of {student} can't run the course's environment ({run.BIN}): {why}\n"
                         "Every folder on the way to it must be open to other accounts (chmod o+rx).")


def proxy() -> Path:
    """JupyterHub's proxy: npm's configurable-http-proxy, pinned in package.json and installed into
    node_modules/ (here when missing), or one on PATH."""
    found = PROXY if PROXY.exists() else shutil.which(PROXY.name)
    if found:
        return Path(found)
    if not shutil.which("npm") or not (CODE_ROOT / "package.json").exists():
        raise SystemExit("the hub needs its proxy: Node.js 20 or newer and npm (`apt-get install nodejs "
                         "npm`), then `npm ci` in the course's folder")
    print("Installing the hub's proxy (configurable-http-proxy) into node_modules/ ...", flush=True)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=CODE_ROOT, check=True)
    return PROXY


# ---- running -------------------------------------------------------------------------------------

def settings(course: Course, classroom: Classroom, ip: str, port: int):
    """JupyterHub's configuration for the classroom."""
    from traitlets.config import Config

    from pipeline.logins import RosterAuthenticator
    from pipeline.spawner import ClassroomSpawner

    state, students, instructors = classroom.state, classroom.students(), classroom.instructors()
    c = Config()
    c.JupyterHub.bind_url = f"http://{ip}:{port}"
    c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{free_port()}"  # the hub's own API, for the servers
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{free_port()}"
    c.ConfigurableHTTPProxy.command = [str(proxy())]
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "cookie_secret")  # kept: logins survive a restart
    c.JupyterHub.authenticator_class = RosterAuthenticator
    c.Authenticator.allowed_users = set(students)
    c.Authenticator.admin_users = set(instructors)
    c.Authenticator.allow_existing_users = False  # the roster alone says who may log in
    c.FirstUseAuthenticator.dbm_path = str(state / "passwords.dbm")
    c.JupyterHub.spawner_class = ClassroomSpawner
    c.ClassroomSpawner.instructors = set(instructors)
    c.ClassroomSpawner.course_root = str(course.root)
    c.ClassroomSpawner.settings_folders = {role: str(classroom.settings_of / role)
                                           for role in ("student", "instructor")}
    c.Spawner.cmd = [str(run.BIN / "jupyterhub-singleuser")]
    c.Spawner.default_url = "/lab"
    c.Spawner.env_keep = ["LANG", "LC_ALL"]
    c.Spawner.start_timeout = 180  # a Lab starting on a busy machine
    c.Spawner.http_timeout = 120
    return c


def serve(course: Course, classroom: Classroom, ip: str, port: int) -> None:
    """Run JupyterHub in this process until Ctrl-C (or SIGTERM)."""
    from jupyterhub.app import JupyterHub

    check_environment(classroom)
    config = settings(course, classroom, ip, port)
    os.chdir(classroom.state)
    print(f"The classroom: http://{ip or socket.gethostname()}:{port}/ (students log in with their roster "
          "id and choose a password the first time)", flush=True)
    JupyterHub.instance(config=config)
    JupyterHub.launch_instance(argv=[])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
