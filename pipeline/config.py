"""The nbgrader settings of the course, in one place (`nbgrader_config.py` calls `apply`)."""

from pathlib import Path

from pipeline.notebooks import CODE_STUB, TEXT_STUB
from pipeline.paths import course_setting, weeks
from pipeline.sandbox import SANDBOX_KERNEL

CELL_TIMEOUT = 90  # seconds; no cell of a reference solution needs more than 60
MOODLE_NAMES = r"^[^/]*_(?P<student_id>\d+)_assignsubmission_file_/(?P<file_id>[^/]+)$"
GRADEBOOK_NOISE = ".* not in session, add operation along"  # SQLAlchemy, from nbgrader's gradebook: harmless
STDERR_NOISE = r"(?i)warning|warn\(|^\s*\d+%\|"  # library warnings and progress bars on stderr


def gradebook_url(root: str) -> str:
    """`course: {db_url: postgresql://...}` in the root's `_config.yml`, else SQLite beside it.

    Read from the given root every time: nbgrader_config.py, the grades and every throwaway course
    copy (tests, bench, cluster workers) each have their own root and so their own gradebook. A
    plain `postgresql://` URL gets the driver the course installs (psycopg2): SQLAlchemy 2.1 would
    pick psycopg 3 for it.
    """
    url = course_setting("db_url", Path(root))
    if not url:
        return f"sqlite:///{root}/gradebook.db"
    scheme, _, rest = url.partition("://")
    return f"postgresql+psycopg2://{rest}" if scheme in ("postgresql", "postgres") else url


def apply(c, root: str) -> None:
    c.CourseDirectory.root = root
    c.CourseDirectory.course_id = "deep-learning"
    c.CourseDirectory.db_url = gradebook_url(root)
    c.CourseDirectory.db_assignments = [{"name": week} for week in weeks()]
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "*.md", ".*"]
    c.CourseDirectory.max_file_size = 50_000  # kB copied from a submission

    # `course.py collect`: Moodle's "Download all submissions" zip, the number is the student id
    c.FileNameCollectorPlugin.named_regexp = MOODLE_NAMES

    c.ClearSolutions.code_stub = CODE_STUB
    c.ClearSolutions.text_stub = TEXT_STUB

    c.Execute.timeout = CELL_TIMEOUT
    c.Execute.interrupt_on_timeout = True
    c.Execute.kernel_name = SANDBOX_KERNEL  # its spec is made in code, for this course (pipeline.ipc)
    c.Execute.kernel_manager_class = "pipeline.ipc.IPCKernelManager"  # the kernel may have no network
    timeout = f"This cell ran for more than {CELL_TIMEOUT} s and was stopped. An endless loop?"
    c.Execute.error_on_timeout = {"ename": "CellTimeoutError", "evalue": timeout,
                                  "traceback": [f"CellTimeoutError: {timeout}"]}
    c.Autograde.autograde_preprocessors = [
        "pipeline.execute.ResilientExecute",
        "nbgrader.preprocessors.IgnorePattern",
        "nbconvert.preprocessors.ClearMetadataPreprocessor",
        "pipeline.limitsize.LimitOutputSize",
        "nbgrader.preprocessors.LimitOutput",
        "nbgrader.preprocessors.SaveAutoGrades",
        "nbgrader.preprocessors.AssignLatePenalties",
        "nbgrader.preprocessors.CheckCellMetadata",
    ]
    c.IgnorePattern.enabled = True
    c.IgnorePattern.pattern = STDERR_NOISE

    c.GenerateFeedback.preprocessors = [
        "nbgrader.preprocessors.GetGrades",
        "pipeline.feedback.ClearHiddenTestsOfTestCells",
        "pipeline.feedback.ShortenTracebacks",
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ]
