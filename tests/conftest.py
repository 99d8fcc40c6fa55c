"""The order in which pytest-xdist hands out the groups of tests: the longest first.

`course.py test` turns off pytest-xdist's own order (most tests first), which left the book, with
few tests, to run alone at the end; handing out the longest groups first makes the two workers
finish together. The book (it executes every week again) is longest, then the classroom on
JupyterHub, then the weeks by the size of their source, a fair measure of how long they run; the
small groups follow.
"""

from __future__ import annotations

from tests.support import COURSE

LONGEST_FIRST = ["book", "hub",  # the classroom on JupyterHub (tests/test_hub.py): about 2 min
                 *sorted(COURSE.weeks(), key=lambda week: -COURSE.source_md(week).stat().st_size)]


def pytest_collection_modifyitems(items):
    def rank(item):
        marker = item.get_closest_marker("xdist_group")
        group = marker.args[0] if marker and marker.args else None
        return LONGEST_FIRST.index(group) if group in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)
