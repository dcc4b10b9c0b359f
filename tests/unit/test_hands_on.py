"""The hands-on machinery without an engine: Dockerfile stages, work folders, check results,
and the transcripts that replay the notebooks' docker commands."""

from __future__ import annotations

import json
import shlex

import pytest

from lessons import dockerfile, exercises, session, transcripts
from lessons.catalog import SAMPLE_APPS

MULTI = """ARG BASE=debian
# build
FROM ${BASE} AS build
WORKDIR /src
ENV A=1
COPY . .
RUN --mount=type=cache,target=/c make \\
 && make install

# test
FROM build AS test
RUN make test

# docs (nothing needs it)
FROM build AS docs
RUN make docs

FROM scratch
COPY --from=test /out /out
"""


def test_stages_and_what_buildkit_builds():
    stages = dockerfile.parse_stages(MULTI)
    assert [s.name for s in stages] == ["build", "test", "docs", "stage-3"]
    assert stages[1].from_stage and stages[1].base == "build"
    # the FROM of an image is a step; FROM scratch and FROM <stage> are not; ENV is not
    assert [i.keyword for i in stages[0].steps] == ["FROM", "WORKDIR", "COPY", "RUN"]
    assert stages[3].steps[0].keyword == "COPY"
    assert [s.name for s in dockerfile.needed_stages(MULTI)] == ["build", "test", "stage-3"]
    assert [s.name for s in dockerfile.needed_stages(MULTI, "docs")] == ["build", "docs"]
    assert dockerfile.step_count(MULTI) == 6 and dockerfile.step_count(MULTI, "build") == 4
    assert dockerfile.locate(MULTI, "build", 4).line == 7
    assert dockerfile.locate(MULTI, "stage-3", 1).text == "COPY --from=test /out /out"


@pytest.mark.parametrize("variant", ["multi-stage", "distroless"])
def test_the_sample_test_stage_is_built_by_default(variant):
    for lang in ("go", "java", "python"):
        text = (SAMPLE_APPS / lang / f"{variant}.dockerfile").read_text()
        assert "test" in [s.name for s in dockerfile.needed_stages(text)]
        assert "test" in [s.name for s in dockerfile.needed_stages(text, "test")]
        assert "test" not in [s.name for s in dockerfile.needed_stages(text, "build")]


def test_work_folder_is_a_copy_that_survives_and_resets(tmp_path):
    ws = exercises.workspace("01-dockerignore", tmp_path)
    ws.prepare()
    assert (ws.path / "main.go").exists() and (ws.path / "Dockerfile").exists()
    assert not (ws.path / ".dockerignore").exists(), "the exercise is to write it"
    assert (ws.path / "notes" / "lecture-recording.wav").stat().st_size == 20_000_000
    (ws.path / ".dockerignore").write_text("*\n")
    ws.prepare()                                    # a second prepare keeps your edits
    assert (ws.path / ".dockerignore").read_text() == "*\n"
    ws.reset()                                      # reset restores the starting point
    assert not (ws.path / ".dockerignore").exists()
    assert not list(ws.path.glob("*.dockerfile")), "the sample's Dockerfiles are not copied"


def test_every_exercise_has_a_start_a_solution_and_a_typical_mistake(tmp_path):
    for ex_id, ex in exercises.EXERCISES.items():
        ws = exercises.Workspace(ex, tmp_path).reset()
        assert ws.dockerfile.exists(), ex_id
        assert ex.files("solution").exists(), ex_id
        assert ex.files("mistake").is_dir(), ex_id
        assert ex.notebook.startswith(ex_id[:2])


def test_the_command_shown_is_the_same_on_every_machine_but_for_the_session(tmp_path, monkeypatch):
    """Build args are passed by name; their values come from the environment. The tag
    carries the session id (lessons.session), nothing else differs."""
    ws = exercises.workspace("02-layer-order", tmp_path).prepare()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYTHON_IMAGE", raising=False)
    without = ws.command()
    monkeypatch.setenv("PYTHON_IMAGE", "sizedrop.invalid/python:3.13-trixie")
    assert ws.command() == without
    assert shlex.join(without) == ("docker build --build-arg PYTHON_IMAGE --build-arg "
                                   "PYTHON_SLIM_IMAGE --build-arg PIP_NO_INDEX --build-arg "
                                   "PIP_FIND_LINKS --label sizedrop.managed=true -t "
                                   f"sizedrop.invalid/work:02-layer-order-{session.current()} "
                                   "02-layer-order")


def test_a_check_result_names_the_first_failure_and_the_next_step():
    res = exercises.Result("03-distroless-health")
    res.add("builds", True, "in 1 s")
    res.add("engine says healthy", False, "unhealthy", "the engine says unhealthy",
            "write the HEALTHCHECK in exec form")
    res.add("runs as non-root", False, "root", "it runs as root", "add USER")
    assert not res.passed
    assert res.headline().splitlines() == ["FAIL: the engine says unhealthy",
                                           "  next step: write the HEALTHCHECK in exec form"]
    assert "[x] builds" in res.report() and "[ ] runs as non-root" in res.report()
    ok = exercises.Result("x")
    ok.add("builds", True, "")
    assert ok.passed and ok.headline() == "PASS: x"
    assert not exercises.Result("empty").passed, "no check item is no pass"


class _FakeShell:
    """Just enough of IPython's shell for transcripts.install."""

    def __init__(self):
        self.user_ns = {}
        self.magics = {}
        self.ran = []

    def var_expand(self, cmd, depth=0):
        return cmd.replace("{LANG}", "go")

    def system(self, cmd):
        self.ran.append(cmd)

    def getoutput(self, cmd, split=True, depth=0):
        self.ran.append(cmd)
        return ["real"]

    def register_magic_function(self, fn, kind, name):
        self.magics[name] = fn


def test_replay_prints_the_recorded_output_and_says_so(tmp_path, capsys, monkeypatch):
    t = transcripts.Transcript("99-demo", tmp_path)
    t.add("docker ps", "first\n", 0)
    t.add("docker ps", "second\n", 0)
    t.add("docker run x-go", "boom\n", 125)
    t.save()
    misses = tmp_path / "misses"
    monkeypatch.setenv(transcripts.ENV_MISSES, str(misses))
    ip = _FakeShell()
    transcripts.install(ip, "replay", "99-demo", "recorded 2026-12-02", tmp_path)
    ip.system("docker  ps")
    ip.system("docker ps")
    ip.system("docker run x-{LANG}")
    out = capsys.readouterr().out
    assert out.count("[replay: recorded 2026-12-02.") == 3
    assert "first" in out and "second" in out and "boom" in out
    assert ip.user_ns["_exit_code"] == 125
    assert ip.getoutput("docker ps") == ["first"], "code that parses gets no banner"
    ip.system("ls -l")                       # not a docker command: runs for real
    assert ip.ran == ["ls -l"]
    ip.system("docker image prune")          # never recorded
    assert "not in the recorded run" in capsys.readouterr().out
    assert misses.read_text() == "99-demo\tdocker image prune\n"
    ip.magics["bash"]("", "docker ps\n")     # a fourth `docker ps`: the recordings cycle
    assert "second" in capsys.readouterr().out


def test_record_mode_runs_for_real_and_keeps_the_output(tmp_path, capsys):
    ip = _FakeShell()
    transcripts.install(ip, "record", "98-demo", "", tmp_path)
    ip.system("echo docker-like output; exit 3")
    assert "docker-like output" in capsys.readouterr().out
    saved = json.loads((tmp_path / "98-demo.json").read_text())
    assert saved == [{"command": "echo docker-like output; exit 3",
                      "output": "docker-like output\n", "exit_code": 3}]


def test_a_check_points_the_way_first_and_names_the_instruction_after_another_attempt():
    look, which = exercises.GUIDE["strip"]
    first = exercises.Result("04-strip-binary")
    first.add("stripped binary", False, "3 MB", "still has .symtab", look, which)
    assert look in first.report() and which not in first.report()
    again = exercises.Result("04-strip-binary", more=True)
    again.add("stripped binary", False, "3 MB", "still has .symtab", look, which)
    assert again.next_step == f"{look}\n  which instruction: {which}"


def test_the_dockerignore_exercise_asks_for_a_dockerignore(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    exercises.workspace("01-dockerignore", tmp_path).prepare().describe()
    out = capsys.readouterr().out
    assert "Add 01-dockerignore/.dockerignore (leave the Dockerfile as it is)" in out
    # the typical mistake ignores one folder of junk and forgets the other two
    ws = exercises.workspace("01-dockerignore", tmp_path)
    ws.apply(ws.exercise.files("mistake"))
    sent = dict(exercises._biggest_sent(ws.path))
    assert "local-build/server" in sent and not any(p.startswith("notes/") for p in sent)


def test_an_entry_recorded_on_its_own_says_where(tmp_path, capsys):
    t = transcripts.Transcript("97-demo", tmp_path)
    t.add("docker ps", "from the run\n", 0)
    t.entries.append({"command": "docker images", "output": "alone\n", "exit_code": 0,
                      "recorded": "recorded 2026-12-07 on Docker 20.10.24, this command alone"})
    t.save()
    ip = _FakeShell()
    transcripts.install(ip, "replay", "97-demo", "recorded 2026-12-02", tmp_path)
    ip.system("docker ps")
    ip.system("docker images")
    out = capsys.readouterr().out
    assert "[replay: recorded 2026-12-02. No engine" in out
    assert "[replay: recorded 2026-12-07 on Docker 20.10.24, this command alone. No engine" in out
    assert out.count("[replay:") == 2


def test_a_recorded_check_shows_the_session_as_the_notebooks_write_it():
    res = exercises.Result("02-layer-order")
    res.command = f"docker build -t sizedrop.invalid/work:02-layer-order-{session.current()} x"
    res.add("builds", True, "in 1.0 s")
    [row] = exercises.rows(res, "solution")
    assert row["command"] == ("docker build -t "
                              "sizedrop.invalid/work:02-layer-order-$SIZEDROP_SESSION x")


def test_a_recorded_check_is_never_read_as_the_learners_result():
    res = exercises.Result("01-dockerignore", source="recorded 2026-12-02, Docker 26.1.5")
    res.add("builds", True, "in 1.0 s")
    text = res.report()
    assert text.startswith("NOT JUDGED: 01-dockerignore: no Docker engine here")
    assert "PASS" not in text and "REFERENCE SOLUTION" in text
    assert "  reference [x] builds: in 1.0 s" in text
    assert repr(res) == "<check 01-dockerignore: not judged (replay)>"
