"""course.py's install: uv is given the package sources pip is configured with."""

from __future__ import annotations

import os

import course


def test_uv_gets_pips_sources_once_each_and_its_certificate(monkeypatch):
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # no configuration file: only the variables below
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "file:///mirror/simple file:///more/simple")
    monkeypatch.setenv("PIP_FIND_LINKS", "/wheels /wheels")
    monkeypatch.setenv("PIP_CONSTRAINT", "/caps.txt")
    monkeypatch.setenv("PIP_CERT", "/certs.pem")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    options, env = course.uv_settings_from_pip()
    pairs = sorted(zip(options[::2], options[1::2], strict=True))
    assert pairs == [("--constraint", "/caps.txt"), ("--extra-index-url", "file:///mirror/simple"),
                     ("--extra-index-url", "file:///more/simple"), ("--find-links", "/wheels"),
                     ("--index-strategy", "unsafe-best-match")]
    assert env["SSL_CERT_FILE"] == "/certs.pem"


def test_without_a_mirror_uv_keeps_its_own_index_rule(monkeypatch):
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    for name in [name for name in os.environ if name.startswith("PIP_") and name != "PIP_CONFIG_FILE"]:
        monkeypatch.delenv(name)
    assert course.uv_settings_from_pip()[0] == []
