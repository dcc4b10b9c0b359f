"""Fault injection: no learner ever sees a traceback (issue 23, part 2).

Every public helper the notebooks use (every public ``Lab`` method and every function of
``lessons.nb.__all__``, enumerated here, not picked) runs in a real IPython shell with the
lab's handler installed, against a fake engine whose every call raises one class of error:
the SDK's APIError and NotFound, requests' ConnectionError and ReadTimeout, OSError, a
JSONDecodeError from a dying engine, a timeout. Each failing cell must print exactly one
``error: ...; next step: ...`` line, no traceback, not call itself a bug, and leave behind
names that explain the failure to the next cell. The CLI likewise, with a bad argument and
with no engine.
"""

from __future__ import annotations

import json
import subprocess
import sys

import docker.errors
import pandas as pd
import pytest
import requests.exceptions
import urllib3.exceptions
from lessons import __main__ as cli
from lessons import build, catalog, engine, errors, nb
from lessons.sources import LiveSource, RecordedSource

ROOT = catalog.REPO_ROOT


class _Response:
    """What docker-py's APIError reads from an HTTP response."""

    def __init__(self, status: int):
        self.status_code = status
        self.url = "http+docker://localhost/v1.41/containers/create"
        self.reason = "Server Error" if status >= 500 else "Not Found"


# Each class of error a learner can meet, made fresh for every call, and a phrase of the
# one line that must explain it.
FAULTS = {
    "APIError": (lambda: docker.errors.APIError(
        "500 Server Error", response=_Response(500), explanation="injected engine failure"),
        "the Docker engine refused"),
    "NotFound": (lambda: docker.errors.NotFound(
        "404 Client Error", response=_Response(404), explanation="No such container: 0f1e"),
        "not found"),
    "ConnectionError": (lambda: requests.exceptions.ConnectionError(
        urllib3.exceptions.ProtocolError(
            "Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))),
        "Docker engine"),
    "ReadTimeout": (lambda: requests.exceptions.ReadTimeout(
        "UnixHTTPConnectionPool(host='localhost', port=None): Read timed out. "
        "(read timeout=600)"), "no answer in time"),
    "OSError": (lambda: OSError(28, "No space left on device"), "No space left on device"),
    "JSONDecodeError": (lambda: requests.exceptions.JSONDecodeError("Expecting value", "", 0),
                        "cut off"),
    "TimeoutExpired": (lambda: subprocess.TimeoutExpired(["docker", "buildx", "build"], 600),
                       "no answer in time"),
}


class Failing:
    """A Docker client, and everything reached from it, whose every call raises a fresh
    ``make()``; ``calls`` counts them (a helper that never calls the engine is pure)."""

    def __init__(self, make, calls: list):
        self._make = make
        self._calls = calls

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Failing(self._make, self._calls)

    def __call__(self, *args, **kwargs):
        self._calls.append(args)
        raise self._make()


# One cell per public helper. A new public method or helper without a cell here fails
# test_every_public_helper_has_a_cell, so none is left out.
CELLS = {
    "Lab.start": "out = Lab.start('01-single-stage', quiet=True)",
    "Lab.exports": "out = lab.exports()",
    "Lab.build_env": "out = lab.build_env()",
    "Lab.caption": "out = lab.caption()",
    "Lab.source_line": "out = lab.source_line()",
    "Lab.variant": "out = lab.variant('go', 'scratch')",
    "Lab.dockerfile": "out = lab.dockerfile('go', 'scratch')",
    "Lab.command": "out = lab.command('go', 'scratch')",
    "Lab.tag": "out = lab.tag('go', 'scratch')",
    "Lab.image": "out = lab.image('BUSYBOX_IMAGE')",
    "Lab.recorded_table": "out = lab.recorded_table('sizes')",
    "Lab.arm64_sizes": "out = lab.arm64_sizes()",
    "Lab.build": "out = lab.build('go', 'scratch')",
    "Lab.build_all": "out = lab.build_all('go', 'scratch')",
    "Lab.sizes": "out = lab.sizes('go')",
    "Lab.plot_sizes": "out = lab.plot_sizes(lab.sizes('go'))",
    "Lab.attack_surface": "out = lab.attack_surface('go')",
    "Lab.layers": "out = lab.layers('go', 'scratch')",
    "Lab.image_layers": "out = lab.image_layers('sizedrop.invalid/go-app:scratch')",
    "Lab.try_shell": "out = lab.try_shell('go', 'scratch')",
    "Lab.probe": "out = lab.probe('user', 'go', 'scratch')",
    "Lab.probes": "out = lab.probes('shell', 'go')",
    "Lab.ask": "out = lab.ask('go', 'scratch')",
    "Lab.runtime": "out = lab.runtime('go', 'scratch')",
    "Lab.build_cost": "out = lab.build_cost('go', 'scratch')",
    "Lab.explore": "out = lab.explore('go', 'scratch')",
    "Lab.workspace": "out = lab.workspace('04-strip-binary')",
    "Lab.check": "out = lab.check('04-strip-binary')",
    "Lab.hint": "out = lab.hint('04-strip-binary')",
    "Lab.solution": "out = lab.solution('04-strip-binary')",
    "Lab.challenge_targets": "out = lab.challenge_targets()",
    "Lab.running": "with lab.running('go', 'scratch') as out:\n    pass",
    "Lab.cleanup": "out = lab.cleanup()",
    "Lab.provenance": "out = lab.provenance('go', 'scratch')",
    "Lab.sbom": "out = lab.sbom('go')",
    "Lab.build_checks": "out = lab.build_checks()",
    "Lab.check_run": "out = lab.check_run('03-locked-down')",
    "verdict": "out = verdict(True, 'a question')",
    "show": "out = show(recorded)",
    "columns": "out = columns(recorded, ['language', 'variant'])",
    "smallest": "out = smallest(recorded)",
    "pull_seconds": "out = pull_seconds(recorded, 100)",
    "plot_fleet": "out = plot_fleet(recorded)",
    "select": "out = select(recorded, 'go')",
    "provenance": "out = provenance(recorded)",
}

# Helpers that never ask the engine: they must work whatever it does (and the fake counts
# no call). Every other helper must fail, in one line, with each fault.
PURE = {"Lab.exports", "Lab.build_env", "Lab.variant", "Lab.dockerfile",
        "Lab.tag", "Lab.image", "Lab.recorded_table", "Lab.arm64_sizes", "Lab.workspace",
        "Lab.hint", "Lab.solution", "Lab.challenge_targets",
        "verdict", "show", "columns", "smallest", "pull_seconds", "plot_fleet", "select",
        "provenance"}
# The command a build runs pins a lookalike the engine holds (lessons.pins): an image that is
# not there is simply not pinned; any other fault is the engine's, said in one line.
ABSENT_IS_FINE = {"Lab.command"}
# A goal's check with nothing by the goal's name on the engine says FAIL in one line and goes
# on (a notebook's Run All passes the empty cell and its check): not an error.
ABSENT_IS_FINE |= {"Lab.check_run"}
# Lab.start with an engine that fails as it is asked: it says why and replays the recording.
REPLAYS = {"Lab.start"}
# The exercise check builds with the docker CLI before it asks the engine anything: what it
# meets is a CLI that cannot run (the injected OSError, else a missing docker binary).
THROUGH_CLI = {"Lab.check", "Lab.build_checks"}
# The explorer shows a failure in its own status line (ipywidgets callbacks), not the cell's.
IN_WIDGET = {"Lab.explore"}


def _public() -> set[str]:
    names = {f"Lab.{n}" for n, v in vars(nb.Lab).items()
             if not n.startswith("_") and (callable(v) or isinstance(v, classmethod))}
    return names | {n for n in nb.__all__ if n != "Lab"}


def test_every_public_helper_has_a_cell():
    assert _public() == set(CELLS)


@pytest.fixture
def shell(lab_shell):
    lab_shell.user_ns["recorded"] = RecordedSource().sizes()
    return lab_shell


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """Nothing in these tests may reach a real engine or write into the repository."""
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    monkeypatch.setenv("LESSONS_PIP_OFFLINE", "0")
    monkeypatch.setenv("LESSONS_WORK", str(tmp_path / "work"))
    monkeypatch.delenv("LESSONS_PLATFORM", raising=False)
    monkeypatch.delenv(errors.DEBUG_ENV, raising=False)
    monkeypatch.setattr(build, "_BUILDX", {"ok": False})   # builds through the (fake) API
    monkeypatch.setattr(engine.time, "sleep", lambda s: None)   # retries without waiting
    monkeypatch.chdir(tmp_path)


def _inject(monkeypatch, make, calls):
    """Every way out of the lab fails with ``make()``: the SDK client and the docker CLI."""
    client = Failing(make, calls)
    monkeypatch.setattr(engine.docker, "from_env", lambda **kw: client)

    def cli(*args, **kwargs):   # the CLI itself fails to run (it never raises SDK errors)
        calls.append(args)
        fault = make()
        if isinstance(fault, requests.exceptions.RequestException) or \
                not isinstance(fault, OSError):
            fault = FileNotFoundError(2, "No such file or directory", "docker")
        raise fault
    monkeypatch.setattr(subprocess, "Popen", cli)
    monkeypatch.setattr(subprocess, "run", cli)
    return client


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("helper", sorted(CELLS))
def test_each_fault_through_each_helper_gives_one_line(helper, fault, shell, offline,
                                                       monkeypatch, capsys):
    make, phrase = FAULTS[fault]
    calls: list = []
    client = _inject(monkeypatch, make, calls)
    shell.user_ns["lab"] = nb.Lab(LiveSource(client, "local"), "01-single-stage")
    result = shell.run_cell(CELLS[helper])
    out, err = capsys.readouterr()
    shown = out + err
    assert "Traceback" not in shown and 'File "' not in shown, shown
    assert "a bug in the lab" not in shown, shown

    if helper in PURE:
        assert result.success, shown
        assert not calls, f"{helper} asked the engine"
        return
    if helper in REPLAYS:
        assert result.success, shown
        assert shell.user_ns["out"].mode == "replay"
        return
    if helper in IN_WIDGET:
        assert result.success, shown
        widget = shell.user_ns["out"]
        status = widget.children[1].value
        assert "error: " in status and phrase in status and "Traceback" not in status
        widget.children[0].children[0].value = "java"   # a callback: the language dropdown
        out, err = capsys.readouterr()
        status = widget.children[1].value
        assert "error: " in status and phrase in status and "Traceback" not in out + err
        return
    if helper in ABSENT_IS_FINE and fault == "NotFound":
        assert result.success, shown
        return
    if helper in THROUGH_CLI and fault != "OSError":
        phrase = "could not run the docker CLI"
    assert not result.success, f"{helper} hid a {fault}: {shown}"
    errors_shown = [line for line in _lines(err) if line.startswith("error: ")]
    assert len(errors_shown) == 1, shown
    assert phrase in errors_shown[0] and "; next step: " in errors_shown[0], errors_shown[0]
    assert _lines(err)[0] == errors_shown[0], shown   # nothing before it (details may follow)

    # The next cell uses the result: one line naming the earlier failure, no NameError.
    again = shell.run_cell("out.head()" if helper != "Lab.running" else "out.url")
    out, err = capsys.readouterr()
    assert not again.success
    assert _lines(err) == [_lines(err)[0]] and _lines(err)[0].startswith(
        "error: no result in `out`: the earlier cell that sets it failed ("), out + err
    assert "NameError" not in out + err


# ----------------------------------------------------------------------------- bad arguments

@pytest.mark.parametrize("cell, says", [
    ("lab.dockerfile('go', 'jlink')", "go has no jlink variant; next step: go: single-stage"),
    ("lab.tag('python', 'scratch')", "python has no scratch variant"),
    ("lab.build('rust', 'scratch')", "unknown language 'rust'; next step: choose from: go, "
                                     "java, python"),
    ("lab.sizes('go', 'jlink')", "go has no jlink variant"),
    ("lab.attack_surface('java', 'scratch')", "java has no scratch variant"),
    ("lab.probes('shel')", "no probe called 'shel'; next step: one of: shell"),
    ("lab.probe('shel', 'go', 'scratch')", "no probe called 'shel'"),
    ("lab.probe('shell', 'go', 'jlink')", "go has no jlink variant"),
    ("lab.runtime('go', runs=0)", "runs=0"),
    ("lab.explore('java', 'traced')", "java has no traced variant"),
    ("lab.check('07-challenge-rust')", "no exercise called '07-challenge-rust'"),
    ("lab.solution('03-distroless')", "no exercise called '03-distroless'"),
    ("lab.hint('nope')", "no exercise called 'nope'"),
    ("lab.check_run('03-lockeddown')", "no goal called '03-lockeddown'; next step: one of: "
                                       "01-publish"),
    ("lab.sizes(languages=3)", "language 3 is not a name"),
    ("lab.sizes(lang='go')", "Lab.sizes() got an unexpected keyword argument 'lang'; "
                             "next step: help(lab.sizes)"),
    ("columns(recorded, ['nope'])", "no column nope in this table"),
    ("show('sizes')", "show() needs a table"),
    ("pull_seconds(recorded, 0)", "0 is not a positive number"),
    ("plot_fleet(recorded, language='rust')", "unknown language 'rust'"),
])
def test_bad_arguments_give_one_line_before_any_work(cell, says, shell, offline, monkeypatch,
                                                     capsys):
    calls: list = []
    client = _inject(monkeypatch, lambda: AssertionError("the engine was asked"), calls)
    shell.user_ns["lab"] = nb.Lab(LiveSource(client, "local"), "01-single-stage")
    result = shell.run_cell(cell)
    out, err = capsys.readouterr()
    assert not result.success
    assert not calls, f"work was done before the argument was checked: {calls}"
    assert _lines(err) == [_lines(err)[0]] and _lines(err)[0].startswith("error: "), out + err
    assert says in err, err
    assert "Traceback" not in out + err and "$ docker" not in out   # no command for no work


def test_a_failing_bash_cell_is_one_line(lab_shell, capsys):
    result = lab_shell.run_cell("%%bash\necho doing it\nexit 3")
    out, err = capsys.readouterr()
    assert not result.success and "doing it" in out
    assert _lines(err) == ["error: `echo doing it exit 3` exited with status 3; next step: "
                           "its output above says why"]


def test_challenge_targets_without_their_file_is_one_line(tmp_path):
    from lessons import challenge
    with pytest.raises(errors.LabError, match="python -m lessons targets"):
        challenge.targets(tmp_path / "targets.csv")


# ----------------------------------------------------------------------------- bugs

def test_a_bug_in_the_lab_says_so_with_where_to_report_and_how_to_see_more(
        shell, offline, monkeypatch, capsys):
    # A recorded table without the columns the lab reads: a KeyError inside lessons/.
    monkeypatch.setattr(RecordedSource, "table", lambda self, name: pd.DataFrame())
    shell.user_ns["lab"] = nb.Lab(RecordedSource(), "01-single-stage")
    result = shell.run_cell("df = lab.sizes()")
    out, err = capsys.readouterr()
    assert not result.success
    (line,) = _lines(err)
    assert line.startswith("error: a bug in the lab: KeyError: 'language' (at ")
    assert "(at lessons/sources.py:" in line   # where it happened
    assert errors.ISSUES_URL in line and f"{errors.DEBUG_ENV}=1" in line
    assert "the engine did not answer" not in line and "Traceback" not in out + err

    monkeypatch.setenv(errors.DEBUG_ENV, "1")
    shell.run_cell("df = lab.sizes()")
    out, err = capsys.readouterr()
    assert "Traceback" in out + err and "KeyError" in out + err


def test_a_bug_while_connecting_is_not_called_no_engine(offline, monkeypatch):
    def broken(**kwargs):
        raise KeyError("Architecture")
    monkeypatch.setattr(engine.docker, "from_env", broken)
    with pytest.raises(KeyError):   # reaches the handler as a bug; never a silent replay
        engine.connect()
    assert errors.explain(KeyError("x")).message.startswith("a bug in the lab")


def test_a_learners_own_mistake_keeps_pythons_traceback(shell, capsys):
    shell.run_cell("def f():\n    return undefined_name\nf()")
    out, err = capsys.readouterr()
    assert "NameError" in out + err and "Traceback" in out + err
    assert "error: " not in err


# ----------------------------------------------------------------------------- retries

def test_reads_are_retried_after_a_dropped_answer_then_explained(monkeypatch):
    monkeypatch.setattr(engine.time, "sleep", lambda s: None)
    answers = [requests.exceptions.ConnectionError("Connection aborted."),
               json.JSONDecodeError("Expecting value", "", 0), {"MemTotal": 1}]

    def info():
        a = answers.pop(0)
        if isinstance(a, Exception):
            raise a
        return a
    assert engine.retried(info) == {"MemTotal": 1}
    with pytest.raises(requests.exceptions.ConnectionError):
        engine.retried(Failing(lambda: requests.exceptions.ConnectionError("reset"), []))


def test_a_container_that_vanishes_mid_measure_says_so(monkeypatch):
    from lessons import run, runtime

    class Gone:
        id = "0f1e"
        status = "running"
        attrs = {"Config": {"Image": "sizedrop.invalid/go-app:scratch"}}

        def stats(self, stream):
            raise requests.exceptions.JSONDecodeError("Expecting value", "", 0)

        def remove(self, force):
            pass

    class Client:
        class containers:
            @staticmethod
            def get(cid):
                raise docker.errors.NotFound("404", response=_Response(404),
                                             explanation=f"No such container: {cid}")

    app = run.Running(Gone(), 1, 0.0)
    monkeypatch.setattr(run, "start", lambda *a, **k: app)
    monkeypatch.setattr(run, "wait_healthy", lambda app: 0.5)
    monkeypatch.setattr(runtime.time, "sleep", lambda s: None)
    with pytest.raises(errors.LabError, match="vanished while it was being measured"):
        runtime.measure(Client(), "sizedrop.invalid/go-app:scratch", runs=1)


# ----------------------------------------------------------------------------- the CLI

@pytest.mark.parametrize("argv, says", [
    (["compare", "--lang", "rust"], "unknown language 'rust'"),
    (["compare", "--lang", "go", "--variant", "jlink"], "go has no jlink variant"),
    (["check", "nope"], "no exercise called 'nope'"),
    (["record", "--only", "sizez"], "no part called sizez"),
    (["images"], "no Docker engine answers"),
    (["clean"], "no Docker engine answers"),
    (["classroom", "push"], "no Docker engine answers"),
    (["check", "04-strip-binary"], "no Docker engine answers"),
    (["targets", "--lang", "go"], "no Docker engine answers"),
])
def test_cli_bad_argument_or_no_engine_is_one_line(argv, says, offline, capsys):
    assert cli.main(argv) == 2
    out, err = capsys.readouterr()
    (line,) = _lines(err)
    assert line.startswith("error: ") and says in line and "; next step: " in line


@pytest.mark.parametrize("fault", FAULTS)
def test_cli_each_fault_is_one_line(fault, offline, monkeypatch, capsys):
    make, phrase = FAULTS[fault]
    _inject(monkeypatch, make, [])
    monkeypatch.setattr(engine, "connect", lambda **kw: Failing(make, []))
    assert cli.main(["images"]) == 2
    (line,) = _lines(capsys.readouterr().err)
    assert line.startswith("error: ") and phrase in line


def test_cli_a_bug_exits_3_with_one_line(offline, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_run", lambda args: {}["x"])
    assert cli.main(["clean"]) == 3
    (line,) = _lines(capsys.readouterr().err)
    assert line.startswith("error: a bug in the lab: KeyError")


def test_cli_as_a_learner_runs_it_with_no_engine(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DOCKER_HOST": "unix:///nonexistent/docker.sock",
           "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "lessons", "images"], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: no Docker engine answers at unix:///nonexistent")



def test_an_apps_answer_that_is_not_json_is_a_wrong_answer_not_an_engine_cut_off():
    from lessons import lab, run
    assert lab._json(run.Response(200, b"<html>hello</html>")) is None
    assert lab._json(run.Response(200, b'{"language": "go"}')) == {"language": "go"}
