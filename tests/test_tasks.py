"""Every course task of a week names the graded cells that grade it, or why none can."""

from __future__ import annotations

import pytest

from pipeline.notebooks import grade_id, is_test, read_source
from pipeline.tasks import NOT_GRADED, tasks
from tests.support import COURSE, WEEKS, by_week


@pytest.mark.parametrize("week", by_week(WEEKS))
def test_every_task_names_real_test_cells_or_why_it_is_not_graded(week):
    listed = tasks(COURSE, week)
    assert listed, f"{week}: no `course: tasks:` in the front matter of source/{week}/{week}.md"
    assert len({task.id for task in listed}) == len(listed), "task ids repeat"
    test_cells = {grade_id(cell) for cell in read_source(week).cells if is_test(cell)}
    for task in listed:
        unknown = set(task.graded_by) - test_cells
        assert not unknown, f"{task.id}: {unknown} are not graded test cells of {week}"
        assert task.graded_by or task.status == NOT_GRADED, f"{task.id}: neither graded nor said why not"
