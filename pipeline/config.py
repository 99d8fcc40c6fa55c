"""nbgrader's settings for a course, in one place (`Course.nbgrader_config` and `nbgrader_config.py`)."""

from __future__ import annotations

from pipeline.classroom import Classroom
from pipeline.course import COURSE_ID, IGNORED, Course, Settings
from pipeline.notebooks import CODE_STUB, TEXT_STUB
from pipeline.sandbox import SANDBOX_KERNEL

MOODLE_NAMES = r"^[^/]*_(?P<student_id>\d+)_assignsubmission_file_/(?P<file_id>[^/]+)$"
GRADEBOOK_NOISE = ".* not in session, add operation along"  # SQLAlchemy, from nbgrader's gradebook: harmless
STDERR_NOISE = r"(?i)warning|warn\(|^\s*\d+%\|"  # library warnings and progress bars on stderr


def apply(c, course: Course, settings: Settings | None = None) -> None:
    settings = settings or Settings()
    c.CourseDirectory.root = str(course.root)
    c.CourseDirectory.course_id = COURSE_ID
    c.CourseDirectory.db_url = course.gradebook_url
    c.CourseDirectory.ignore = IGNORED
    c.CourseDirectory.max_file_size = 50_000  # kB copied from a submission

    # `course.py hub`: the classroom's exchange, when _config.yml has a classroom (pipeline/exchange.py)
    classroom = Classroom.of(course)
    if classroom:
        c.Exchange.root = str(classroom.exchange)

    # `course.py collect`: Moodle's "Download all submissions" zip, the number is the student id
    c.FileNameCollectorPlugin.named_regexp = MOODLE_NAMES

    c.ClearSolutions.code_stub = CODE_STUB
    c.ClearSolutions.text_stub = TEXT_STUB

    c.Execute.timeout = settings.cell_timeout
    c.Execute.interrupt_on_timeout = True
    c.Execute.kernel_name = SANDBOX_KERNEL  # its spec is made in code, for this course (pipeline.ipc)
    c.Execute.kernel_manager_class = "pipeline.ipc.IPCKernelManager"  # the kernel may have no network
    c.IPCKernelManager.course_root = str(course.root)  # what the sandbox hides from the kernel
    c.Execute.error_on_timeout = {"ename": "CellTimeoutError", "evalue": settings.timeout_message,
                                  "traceback": [f"CellTimeoutError: {settings.timeout_message}"]}
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
        "pipeline.feedback.SubmittedOutputs",
        "pipeline.feedback.ShortenTracebacks",
        "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    ]
