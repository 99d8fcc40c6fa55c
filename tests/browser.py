"""A student's JupyterLab, driven in Debian's Chromium by Playwright.

    .venv/bin/python -m tests.browser week01 [week02 ...]   # Run All + Validate seconds per week

For each week it opens a perfect student's notebook (the release with the reference solutions) in a
real JupyterLab, runs all cells, counts tracebacks, presses nbgrader's Validate; then runs an
untouched release cell by cell and lists the lecture cells that end in an error.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import nbformat

from pipeline import run
from pipeline.copies import answered, reference_answers
from pipeline.course import Course

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

BUSY = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel?.sessionContext?.session?.kernel;
    const running = [...document.querySelectorAll('.jp-InputArea-prompt')]
        .some(prompt => prompt.textContent.includes('*'));
    return kernel && kernel.status === 'idle' && !running;
}"""

CELL_BY_CELL = """async () => {
    const app = window.jupyterapp;
    const notebook = app.shell.currentWidget.content;
    const count = notebook.widgets.length;
    for (let i = 0; i < count; i++) {
        notebook.activeCellIndex = i;
        await app.commands.execute('notebook:run-cell');
    }
}"""

ERRORS = """() => window.jupyterapp.shell.currentWidget.content.widgets.flatMap((cell, index) => {
    const tags = cell.model.getMetadata('tags') || [];
    if (cell.model.type !== 'code' || tags.includes('raises-exception')) return [];
    const nbgrader = cell.model.getMetadata('nbgrader') || {};
    return cell.model.outputs.toJSON().filter(output => output.output_type === 'error')
        .map(output => ({index, grade_id: nbgrader.grade_id || null,
                         error: output.ename + ': ' + output.evalue}));
})"""


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def student_folder(week: str, target: Path, solved: bool) -> Path:
    """The week's release in `target`, with the reference solutions filled in when `solved`."""
    shutil.copytree(Course.here().release / week, target, dirs_exist_ok=True)
    if solved:
        notebook = target / f"{week}.ipynb"
        nbformat.write(answered(notebook, reference_answers(week)), notebook)
    return target


@contextmanager
def jupyterlab(folder: Path):
    """JupyterLab serving `folder` on a free local port, without a token; yields its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [str(run.BIN / "jupyter"), "lab", "--no-browser", "--allow-root", f"--port={port}",
               "--ServerApp.token=", "--ServerApp.password=", "--LabApp.expose_app_in_browser=True",
               f"--ServerApp.root_dir={folder}"]
    server = subprocess.Popen(command, env=run.environment(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/api/status", server, "JupyterLab")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a kernel that ignores the shutdown request
            server.kill()
            server.wait()


def wait_for(url: str, process: subprocess.Popen, name: str, timeout: float = 120,
             log: Path | None = None) -> None:
    """Until `url` answers; fails at once, with the end of `log`, if `process` stops first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = f":\n{log.read_text()[-3000:]}" if log else ""
            raise RuntimeError(f"{name} stopped while starting{said}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{name} did not answer at {url}")


@contextmanager
def chromium_browser():
    """Debian's Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        try:
            yield instance
        finally:
            instance.close()


@contextmanager
def browser():
    """A page of a wide window in Chromium."""
    with chromium_browser() as instance:
        yield instance.new_page(viewport={"width": 1400, "height": 900})


def open_notebook(page, url: str, name: str) -> None:
    page.goto(f"{url}/lab/tree/{name}")
    page.wait_for_function("window.jupyterapp !== undefined", timeout=60_000)
    page.wait_for_function(BUSY, timeout=120_000, polling=500)  # the kernel started and is idle


def run_all(page) -> float:
    """Seconds from "Run All" until the kernel is idle again."""
    start = time.perf_counter()
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_timeout(1000)
    page.wait_for_function(BUSY, timeout=600_000, polling=1000)
    return time.perf_counter() - start


def run_cell_by_cell(page) -> None:
    page.evaluate(CELL_BY_CELL)
    page.wait_for_function(BUSY, timeout=600_000, polling=1000)


def errors(page) -> list[dict]:
    """Every error output (but those of cells tagged to raise): its cell's index, grade id (None
    for a lecture cell) and message."""
    return page.evaluate(ERRORS)


def validate(page) -> str:
    """Save, press nbgrader's Validate button, and return what its dialog says."""
    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_timeout(1000)
    page.get_by_text("Validate", exact=True).first.click()
    page.wait_for_selector(".jp-Dialog-content", timeout=600_000)
    return page.inner_text(".jp-Dialog-content")


def check_week(week: str, folder: Path, shots: Path | None = None) -> dict:
    """Run All + Validate on the solved notebook, then the untouched release cell by cell."""
    solved = student_folder(week, folder / "solved", solved=True)
    fresh = student_folder(week, folder / "fresh", solved=False)
    report = {}
    with browser() as page:
        with jupyterlab(solved) as url:
            open_notebook(page, url, f"{week}.ipynb")
            report["run_all_seconds"] = run_all(page)
            report["solved_errors"] = errors(page)
            report["validate"] = validate(page)
            if shots:
                page.screenshot(path=str(shots / f"{week}-solved.png"))
        with jupyterlab(fresh) as url:
            open_notebook(page, url, f"{week}.ipynb")
            run_cell_by_cell(page)
            report["lecture_errors"] = [error for error in errors(page) if error["grade_id"] is None]
            if shots:
                page.screenshot(path=str(shots / f"{week}-fresh.png"))
    return report


def main(weeks: list[str]) -> None:
    import tempfile

    for week in weeks:
        with tempfile.TemporaryDirectory() as folder:
            report = check_week(week, Path(folder))
        verdict = "Success" if "Success" in report["validate"] else report["validate"][:300]
        print(f"{week}: Run All {report['run_all_seconds']:.1f} s, errors {len(report['solved_errors'])}, "
              f"Validate: {verdict}; fresh release: {len(report['lecture_errors'])} lecture cells raise",
              flush=True)
        for error in report["solved_errors"] + report["lecture_errors"]:
            print(f"    cell {error['index']} ({error['grade_id'] or 'lecture'}): {error['error']}")


if __name__ == "__main__":
    main(sys.argv[1:])
