"""A classroom on JupyterHub, driven in Debian's Chromium by Playwright (tests/test_hub.py).

    course = classroom_course(area, students=["ada1"], instructor="teacher")
    with running_hub(course, log) as url, chromium_browser() as chromium:
        page = log_in(chromium, url, "ada1")
        open_assignments(page); fetch(page, "week90"); submit(page, "week90")

Everything a member does goes through their own browser session: logging in, nbgrader's
Assignments panel (Fetch, Validate, Submit, Fetch Feedback), the file browser and the notebook
server's own API.
"""

from __future__ import annotations

import subprocess
import sys
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import nbformat
import yaml

from pipeline import accounts, run
from pipeline.course import Course
from pipeline.hub import CODE_ROOT
from tests.browser import wait_for
from tests.support import week90_course

PASSWORD = "a-long-enough-password"
MENU = '#jp-menu-panel div.lm-MenuBar-itemLabel:text("Nbgrader")'
MENU_ITEMS = "#jp-mainmenu-nbgrader li .lm-Menu-itemLabel"
ASSIGNMENT_LIST = '#jp-mainmenu-nbgrader li[data-command="nbgrader:open-assignment-list"]'


def classroom_course(area: Path, students: list[str], instructor: str) -> Course:
    """A course copy with the released week90 whose classroom (exchange, homes) lives in `area`."""
    area.chmod(0o755)  # students pass through to their homes and the exchange, as under /srv and /home
    course = week90_course(area / "course")
    config = course.root / "_config.yml"
    settings = yaml.safe_load(config.read_text())
    settings["course"]["classroom"] = {"roster": "roster.csv", "folder": str(area / "srv"),
                                       "homes": str(area / "home")}
    config.write_text(yaml.safe_dump(settings, sort_keys=False))
    lines = [f"{instructor},instructor,Grace,Hopper,"] + [f"{name},student,{name[:3].title()},Student,"
                                                          for name in students]
    (course.root / "roster.csv").write_text("id,role,first_name,last_name,email\n" + "\n".join(lines) + "\n")
    return course


def set_due_date(course: Course, week: str, when: datetime) -> None:
    config = course.root / "_config.yml"
    settings = yaml.safe_load(config.read_text())
    settings["course"]["classroom"]["due"] = {week: f"{when:%Y-%m-%d %H:%M:%S} UTC"}
    config.write_text(yaml.safe_dump(settings, sort_keys=False))


@contextmanager
def running_hub(course: Course, log: Path, port: int):
    """`python3 course.py hub` in the copy, on a local port; yields its URL, stops it after."""
    path = f"{CODE_ROOT / 'node_modules' / '.bin'}:{run.BIN}:/usr/local/bin:{accounts.SYSTEM_PATH}"
    command = [sys.executable, "-m", "pipeline", "hub", "--ip", "127.0.0.1", "--port", str(port)]
    with open(log, "a") as output:
        hub = subprocess.Popen(command, cwd=course.root, env=run.environment(PATH=path), stdout=output,
                               stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/hub/api/", hub, "the hub", log=log)
        yield url
    finally:
        hub.terminate()  # JupyterHub stops every server and its proxy
        hub.wait(timeout=60)


def login_page(chromium, url: str, name: str):
    """A browser session of its own (its own cookies) on the hub's login page, the form filled."""
    page = chromium.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.goto(f"{url}/hub/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    return page


def log_in(chromium, url: str, name: str):
    """`name` logs in (choosing the password the first time) and their JupyterLab opens."""
    page = login_page(chromium, url, name)
    page.click("input[type=submit]")
    wait_for_lab(page)
    return page


def refused_login(chromium, url: str, name: str) -> tuple[object, str]:
    page = login_page(chromium, url, name)
    page.click("input[type=submit]")
    page.wait_for_selector(".login_error, .alert-danger", timeout=30_000)
    return page, page.inner_text(".login_error, .alert-danger")


def start_again(page, url: str) -> None:
    """After the hub restarted: the same browser session (its login cookie) starts the server anew."""
    page.goto(f"{url}/hub/spawn")
    wait_for_lab(page)


def wait_for_lab(page) -> None:
    page.wait_for_url("**/lab**", timeout=180_000)
    page.wait_for_selector("#jp-main-dock-panel", timeout=120_000)


# ---- nbgrader in Lab ------------------------------------------------------------------------------

def nbgrader_menu(page) -> list[str]:
    """The items of Lab's Nbgrader menu (students: only the Assignment List)."""
    page.locator(MENU).click()
    items = page.locator(MENU_ITEMS).all_inner_texts()
    page.keyboard.press("Escape")
    return [item.strip() for item in items if item.strip()]  # the hidden ones have no text


def open_assignments(page) -> None:
    page.locator(MENU).click()
    page.locator(ASSIGNMENT_LIST).click()
    page.wait_for_selector("#released_assignments_list_loading", state="hidden")
    page.wait_for_selector("#fetched_assignments_list_loading", state="hidden")


def refresh_assignments(page) -> None:
    page.locator("#refresh_assignments_list").click()
    page.wait_for_timeout(500)
    page.wait_for_selector("#submitted_assignments_list_loading", state="hidden")


def fetch(page, week: str) -> None:
    page.locator(f'#released_assignments_list .list_item:has-text("{week}") button:text("Fetch")').click()
    page.wait_for_selector(f'#fetched_assignments_list .list_item:has-text("{week}")')


def put_notebook(page, user: str, path: str, notebook: nbformat.NotebookNode) -> None:
    """Save `notebook` at `path` in the user's server, through its API with the browser's session."""
    status = page.evaluate("""async ([user, path, content]) => {
        const xsrf = decodeURIComponent((document.cookie.match(/_xsrf=([^;]+)/) || [])[1] || '');
        const response = await fetch(`/user/${user}/api/contents/${path}`, {method: 'PUT',
            headers: {'X-XSRFToken': xsrf, 'Content-Type': 'application/json'},
            body: JSON.stringify({type: 'notebook', format: 'json', content})});
        return response.status;
    }""", [user, path, nbformat.from_dict(notebook)])
    assert status in (200, 201), f"saving {path} as {user}: HTTP {status}"


def validate(page, week: str) -> str:
    """Press Validate beside the week's notebook in the panel; what its dialog says."""
    page.locator("#fetched_assignments_list a.assignment-notebooks-link").click()
    page.locator(f'#nbgrader-deep-learning-{week} button:text("Validate")').click()
    page.wait_for_selector(".jp-Dialog-content", timeout=120_000)
    verdict = page.inner_text(".jp-Dialog-content")
    page.locator(".jp-Dialog-footer button").last.click()
    return verdict


def submit(page, week: str) -> int:
    """Press Submit; the number of submissions the panel lists afterwards."""
    before = submissions(page, week)
    page.locator(f'#fetched_assignments_list .list_item:has-text("{week}") button:text("Submit")').click()
    rows = f"#nbgrader-deep-learning-{week}-submissions > .nested_list_item"
    page.wait_for_function(f"document.querySelectorAll('{rows}').length > {before}", timeout=60_000)
    return submissions(page, week)


def submissions(page, week: str) -> int:
    return page.locator(f"#nbgrader-deep-learning-{week}-submissions > .nested_list_item").count()


def fetch_feedback(page, week: str) -> str:
    """Press Fetch Feedback, open it from the panel's link, return its heading (with the score)."""
    submitted = f'#submitted_assignments_list .list_item:has-text("{week}")'
    page.locator(f'{submitted} button:text("Fetch Feedback")').click()
    link = page.locator('#submitted_assignments_list a:text("view feedback")').first
    link.wait_for(timeout=60_000)
    link.click()
    page.locator(f'.jp-DirListing-item:has-text("{week}.html")').dblclick()
    heading = page.frame_locator(".jp-HTMLViewer iframe").locator("h4").first
    heading.wait_for(timeout=30_000)
    return heading.inner_text()


def status_of(page, url: str) -> int:
    """The HTTP status a page of `url` answers this session with."""
    response = page.goto(url)
    return response.status if response else 0


def as_account(name: str, *command: str) -> subprocess.CompletedProcess:
    """`command` run by the system account `name` (what the student could do in a terminal)."""
    return accounts.system("runuser", "-u", name, "--", *command)
