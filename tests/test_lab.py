"""The students' JupyterLab hides nbgrader's instructor tools and keeps Validate."""

import json

from pipeline.lab import configure


def test_students_get_validate_but_no_instructor_tools(tmp_path):
    (tmp_path / "jupyter_server_config.d").mkdir()
    (tmp_path / "jupyter_server_config.d" / "nbgrader.json").write_text(json.dumps({"ServerApp": {
        "jpserver_extensions": {"nbgrader.server_extensions.formgrader": True,
                                "nbgrader.server_extensions.validate_assignment": True}}}))
    configure(etc=tmp_path)
    page = json.loads((tmp_path / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    server = json.loads((tmp_path / "jupyter_server_config.d" / "nbgrader.json").read_text())
    parts = server["ServerApp"]["jpserver_extensions"]
    tools = [f"@jupyter/nbgrader:{name}" for name in ("formgrader", "course-list", "create-assignment")]
    assert page == dict.fromkeys(tools, True)
    assert parts["nbgrader.server_extensions.validate_assignment"] is True
    assert parts["nbgrader.server_extensions.formgrader"] is False
    configure(instructor=True, etc=tmp_path)
    page = json.loads((tmp_path / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert not any(page.values())
