"""nbgrader for this repository as the course root.

- `source/weekNN/weekNN.ipynb` is generated from `weekNN.md` (`python3 course.py notebooks`); the
  MyST file holds solutions and hidden tests, so `*.md` is never copied into `release/`.
- Submissions run in the `course-sandbox` kernel (see `pipeline/sandbox.py`): a throwaway working
  copy, resource limits, no view of the course's secrets, an unprivileged user where possible.
- Every nbgrader command finds the environment's own programs (PATH is set below).
- Warnings on stderr do not zero a correct answer (`IgnorePattern`), and feedback never shows
  hidden tests or the lines of their tracebacks (`pipeline/feedback.py`).
"""

import os
import sys

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, ROOT)
# nbgrader starts `alembic` from PATH: make `.venv/bin/nbgrader` work without an activated venv.
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])

from pipeline.config import apply  # noqa: E402
from pipeline.course import Course  # noqa: E402

c = get_config()  # noqa: F821
apply(c, Course(ROOT))
