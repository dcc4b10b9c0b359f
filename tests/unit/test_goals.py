"""Composed-command goals (lessons.goals), judged on fake engine state: the reference state
passes, each missing requirement is named in words (never the flag), nothing there is one line,
and every check run lands in the progress log."""

from __future__ import annotations

import copy
import hashlib
import json

import docker.errors
import pytest

from lessons import goals

IMAGE_ID = "sha256:" + "ab" * 32
LABEL = {"sizedrop.container": "true"}
LOOPBACK = {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]}
NEVER = goals.NEVER


def _container(config=None, host=None, state=None):
    return {"Image": IMAGE_ID,
            "Config": {"Labels": dict(LABEL), "User": "", "AttachStdout": False,
                       "AttachStderr": False, **(config or {})},
            "HostConfig": {"PortBindings": {}, **(host or {})},
            "State": {"Running": True, "ExitCode": 0, "StartedAt": "2026-12-07T15:00:00Z",
                      **(state or {})}}


# goal -> the state its reference command leaves on the engine (as lessons.goals.gather
# returns it)
REFERENCE = {
    "01-publish": {"attrs": _container(config={"Env": ["PORT=9090", "PATH=/usr/bin"]},
                                       host={"PortBindings": {"9090/tcp": [
                                           {"HostIp": "127.0.0.1", "HostPort": ""}]},
                                             "RestartPolicy": {"Name": "on-failure",
                                                               "MaximumRetryCount": 3}}),
                   "answers": True},
    "02-java-runtime": {"attrs": {"Config": {"Labels": {"sizedrop.managed": "true"},
                                             "User": "", "WorkingDir": ""}},
                        "history": ["RUN |2 EXTRA_MODULES= JLINK_COMPRESS= /bin/sh -c jlink "
                                    "--add-modules \"$(cat /tmp/modules.txt)\" --output "
                                    "/opt/jre # buildkit",
                                    "COPY /app/modules.txt /tmp/modules.txt # buildkit"]},
    "03-locked-down": {"attrs": _container(
        config={"User": "65532:65532",
                "Healthcheck": {"Test": ["CMD", "/opt/venv/bin/python"],
                                "Interval": 2 * goals.SECOND}},
        host={"PortBindings": LOOPBACK, "ReadonlyRootfs": True, "CapDrop": ["ALL"],
              "Memory": 128 * goals.MIB, "NanoCpus": goals.SECOND // 2},
        state={"Health": {"Status": "healthy"}})},
    "04-clean-stop": {"attrs": _container(config={"StopTimeout": 5},
                                          host={"Memory": 256 * goals.MIB},
                                          state={"Running": False, "ExitCode": 0})},
    "05-one-file": {"attrs": _container(state={"Running": False, "StartedAt": NEVER}),
                    "program": {"file": True, "tar": False, "same": True}},
    "06-no-network": {"attrs": _container(host={"NetworkMode": "none", "PidsLimit": 32,
                                                "Ulimits": [{"Name": "nofile", "Soft": 64,
                                                             "Hard": 64}],
                                                "SecurityOpt": ["no-new-privileges"],
                                                "ReadonlyRootfs": True})},
}


def _set(path: str, value):
    """A change to the reference state: ``attrs.HostConfig.Memory`` = value (None deletes)."""
    def change(state):
        *parents, last = path.split(".")
        node = state
        for p in parents:
            node = node[p]
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return change


OTHER_IMAGE = _set("attrs.Image", "sha256:" + "cd" * 32)
NO_LABEL = _set("attrs.Config.Labels", {})
UNPUBLISHED = _set("attrs.HostConfig.PortBindings", {})
EXITED = _set("attrs.State", {"Running": False, "ExitCode": 1,
                              "StartedAt": "2026-12-07T15:00:00Z"})

# goal -> [(a wrong state, a phrase its one unmet line must contain)]: together they break
# every requirement of the goal (test_every_requirement_is_broken_by_some_case)
WRONG = {
    "01-publish": [
        (OTHER_IMAGE, "not made from the Go single-stage image"),
        (EXITED, "it is not running (it exited with code 1)"),
        (_set("attrs.Config.AttachStdout", True), "started in the foreground"),
        (_set("attrs.Config.Env", ["PATH=/usr/bin"]), "not told to listen on port 9090"),
        (_set("attrs.HostConfig.PortBindings", {"9090/tcp": [{"HostIp": "0.0.0.0"}]}),
         "port 9090 is reachable on every network interface"),
        (UNPUBLISHED, "port 9090 is not published"),
        (_set("attrs.HostConfig.RestartPolicy", {"Name": "no", "MaximumRetryCount": 0}),
         "the engine leaves it stopped"),
        (_set("attrs.HostConfig.RestartPolicy", {"Name": "unless-stopped",
                                                 "MaximumRetryCount": 0}),
         "whenever it ends"),
        (_set("attrs.HostConfig.RestartPolicy", {"Name": "on-failure",
                                                 "MaximumRetryCount": 0}), "with no limit"),
        (_set("attrs.HostConfig.RestartPolicy", {"Name": "on-failure",
                                                 "MaximumRetryCount": 5}), "5 times"),
        (_set("answers", False), "nothing answers"),
        (NO_LABEL, "lab's container label"),
    ],
    "02-java-runtime": [
        (_set("attrs.Config.Labels", {}), "lab's image label"),
        (_set("history", ["RUN /bin/sh -c find src/test/java -name '*.java' > t.txt "
                          "&& java -cp c:t sizedrop.TestMain # buildkit"]),
         "no step of this image links a Java runtime"),
        (_set("attrs.Config.Healthcheck", {"Test": ["CMD", "java"]}), "went on past"),
        (lambda s: s["history"].insert(0, "RUN /bin/bash -c { for f in /opt/jre/bin/java; "
                                          "do ldd \"$f\"; done; ldconfig -p | awk "
                                          "'$1 == \"libnss_compat.so.2\"' # buildkit"),
         "gathers the C libraries"),
    ],
    "03-locked-down": [
        (OTHER_IMAGE, "Python distroless"),
        (EXITED, "`docker logs locked-"),
        (_set("attrs.State.Health", {"Status": "unhealthy"}), "its health: unhealthy"),
        (_set("attrs.HostConfig.ReadonlyRootfs", False), "the root filesystem is writable"),
        (_set("attrs.HostConfig.CapAdd", ["NET_RAW"]), "keeps capabilities"),
        (_set("attrs.Config.User", "0"), "runs as user '0', not uid 65532"),
        (UNPUBLISHED, "not published"),
        (_set("attrs.HostConfig.Memory", 256 * goals.MIB), "256 MB, not 128 MB"),
        (_set("attrs.HostConfig.NanoCpus", None), "every CPU of the machine"),
        (_set("attrs.HostConfig.NanoCpus", goals.SECOND), "up to 1 CPUs, not half of one"),
        (_set("attrs.Config.Healthcheck.Interval", 5 * goals.SECOND),
         "every 5 s, not every 2 s (the image's own setting)"),
        (NO_LABEL, "lab's container label"),
    ],
    "04-clean-stop": [
        (OTHER_IMAGE, "Java jlink"),
        (_set("attrs.HostConfig.Memory", 0), "no memory limit"),
        (_set("attrs.Config.StopTimeout", None), "carries no grace period of its own"),
        (_set("attrs.Config.StopTimeout", 10), "own grace period is 10 s, not 5 s"),
        (_set("attrs.State", {"Running": False, "ExitCode": 0, "StartedAt": NEVER}),
         "created but never started"),
        (_set("attrs.State.Running", True), "still running"),
        (_set("attrs.State.ExitCode", 137), "exit code 137 (SIGKILL)"),
        (NO_LABEL, "lab's container label"),
    ],
    "05-one-file": [
        (OTHER_IMAGE, "Go distroless"),
        (_set("attrs.State.StartedAt", "2026-12-07T15:00:00Z"), "has been started"),
        (_set("program", {"file": False, "tar": False, "same": False}), "no file at"),
        (_set("program", {"file": False, "tar": False, "same": False}),
         "no file there to judge"),
        (_set("program", {"file": True, "tar": True, "same": False}), "a tar archive"),
        (_set("program", {"file": True, "tar": False, "same": False}),
         "not the program this container's entrypoint runs"),
        (NO_LABEL, "lab's container label"),
    ],
    "06-no-network": [
        (OTHER_IMAGE, "Go scratch"),
        (EXITED, "not running"),
        (_set("attrs.HostConfig.NetworkMode", "bridge"), "attached to a network (bridge)"),
        (_set("attrs.HostConfig.Ulimits", None), "open-file limit is the engine's default"),
        (_set("attrs.HostConfig.Ulimits", [{"Name": "nofile", "Soft": 64, "Hard": 1024}]),
         "may raise it to 1024: not at most 64"),
        (_set("attrs.HostConfig.PidsLimit", None), "process limit is none"),
        (_set("attrs.HostConfig.SecurityOpt", ["no-new-privileges:false"]),
         "may still gain privileges"),
        (_set("attrs.HostConfig.ReadonlyRootfs", False), "writable"),
        (NO_LABEL, "lab's container label"),
    ],
}

# What each goal's reference command says that a reason must never give away.
KEY_FLAGS = ["127.0.0.1:", "-p ", "-e ", "--env", "--restart", "on-failure", "unless-stopped",
             "--target", " jre", "--read-only", "--cap-drop", "--memory", "--user", "--cpus",
             "--cpu-", "--health-", "--stop-timeout", "docker stop", "docker create",
             "docker cp", "docker export", "/app/server", "--network", "--ulimit", "nofile",
             "--pids-limit", "no-new-privileges", "--security-opt"]


def _state(goal_id: str, change=None) -> dict:
    state = copy.deepcopy(REFERENCE[goal_id])
    state.setdefault("image_id", IMAGE_ID)
    state["name"] = goals.GOALS[goal_id].full_name("0badcafe")
    if change:
        change(state)
    return state


def test_every_goal_has_a_reference_state_and_wrong_cases():
    assert set(REFERENCE) == set(WRONG) == set(goals.GOALS)


@pytest.mark.parametrize("goal_id", sorted(goals.GOALS))
def test_the_reference_state_passes(goal_id):
    passed, lines = goals.judge(goals.GOALS[goal_id], _state(goal_id))
    assert passed and all(line.startswith("  [x] ") for line in lines), lines


@pytest.mark.parametrize("goal_id, case", [(g, i) for g in sorted(WRONG)
                                           for i in range(len(WRONG[g]))])
def test_each_missing_requirement_is_named_in_words(goal_id, case):
    change, phrase = WRONG[goal_id][case]
    passed, lines = goals.judge(goals.GOALS[goal_id], _state(goal_id, change))
    unmet = [line for line in lines if line.startswith("  [ ] ")]
    assert not passed and unmet
    assert any(phrase in line for line in unmet), unmet
    for line in unmet:
        assert not any(flag in line for flag in KEY_FLAGS), line


@pytest.mark.parametrize("goal_id", sorted(goals.GOALS))
def test_every_requirement_is_broken_by_some_case(goal_id):
    g = goals.GOALS[goal_id]
    broken = set()
    for change, _ in WRONG[goal_id]:
        _, lines = goals.judge(g, _state(goal_id, change))
        broken |= {i for i, line in enumerate(lines) if line.startswith("  [ ] ")}
    assert broken == set(range(len(g.requirements)))


def test_the_stated_texts_never_give_the_flags_away():
    for g in goals.GOALS.values():
        for r in g.requirements:
            texts = [r.met] + ([r.missing] if isinstance(r.missing, str) else [])
            for text in texts:
                assert not any(flag in text for flag in KEY_FLAGS), (g.id, text)


# ----------------------------------------------------------------------------- check()

class _Gone:
    """An engine that holds nothing by the goal's name."""

    class containers:
        @staticmethod
        def get(name):
            raise docker.errors.NotFound(f"No such container: {name}")

    class images:
        @staticmethod
        def get(name):
            raise docker.errors.ImageNotFound(f"No such image: {name}")


class _Holds:
    """An engine that holds one container with ``attrs`` and the goal's image."""

    def __init__(self, attrs):
        outer = self

        class Container:
            def __init__(self):
                self.attrs = attrs

            def reload(self):
                pass

        class Image:
            id = IMAGE_ID

        class containers:
            @staticmethod
            def get(name):
                outer.asked = name
                return Container()

        class images:
            @staticmethod
            def get(name):
                return Image()
        self.containers, self.images = containers, images


@pytest.fixture
def progress(tmp_path, monkeypatch):
    """The learner's progress log, in a work folder of the test's own."""
    monkeypatch.setenv("LESSONS_WORK", str(tmp_path / "work"))
    return tmp_path / "work" / "progress.jsonl"


@pytest.mark.parametrize("goal_id", sorted(goals.GOALS))
def test_nothing_there_is_one_fail_line_with_the_next_step(goal_id, progress, capsys):
    verdict = goals.check(goal_id, _Gone(), "0badcafe")
    out = capsys.readouterr().out.strip()
    assert not verdict.passed and "\n" not in out
    assert out.startswith(f"FAIL: goal {goal_id}: no ") and "next step: write your docker" in out
    assert goals.attempts(goal_id)[-1]["passed"] is False


def test_a_check_run_is_recorded_with_its_config_hash(progress, capsys):
    state = _state("06-no-network")
    first = goals.check("06-no-network", _Holds(state["attrs"]), "0badcafe")
    assert first.passed and "PASS: goal 06-no-network reached" in capsys.readouterr().out
    wrong = copy.deepcopy(state["attrs"])
    wrong["HostConfig"]["NetworkMode"] = "bridge"
    second = goals.check("06-no-network", _Holds(wrong), "0badcafe")
    out = capsys.readouterr().out
    assert not second.passed and "FAIL: goal 06-no-network: 1 of 8" in out
    runs = goals.attempts("06-no-network", "0badcafe")
    assert [r["passed"] for r in runs] == [True, False]
    assert runs[0]["attempt"] == first.config_hash != second.config_hash == \
        runs[1]["attempt"]
    assert {"event", "kind", "exercise", "passed", "attempt", "session", "time"} <= set(runs[0])
    assert "network" in runs[1]["reason"]     # what was missing, for lab.hint
    assert goals.attempts("06-no-network", "another") == []


def test_a_cut_short_progress_line_is_skipped(progress):
    progress.parent.mkdir(parents=True)
    progress.write_text(json.dumps({"event": "check", "kind": "goal", "exercise": "01-publish",
                                    "passed": False}) + "\n{\"kind\": \"go")
    assert len(goals.attempts("01-publish")) == 1


def test_replay_does_not_judge(progress, capsys):
    verdict = goals.check("03-locked-down", None)
    out = capsys.readouterr().out
    assert not verdict.passed and out.startswith("NOT JUDGED: goal 03-locked-down")
    assert "PASS" not in out and not progress.exists()


def test_an_unknown_goal_is_one_line_before_any_work():
    with pytest.raises(goals.LabError, match="no goal called 'nope'"):
        goals.check("nope", _Gone())


class _Holding:
    """A container whose file ``path`` holds ``data`` (get_archive, as the engine sends it)."""

    def __init__(self, path, data):
        self.path, self.data = path, data

    def get_archive(self, path):
        import io
        import tarfile
        if path != self.path:
            raise docker.errors.NotFound(f"Could not find the file {path} in container")
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            info = tarfile.TarInfo(path.rsplit("/", 1)[-1])
            info.size = len(self.data)
            tar.addfile(info, io.BytesIO(self.data))
        return iter([buf.getvalue()[:700], buf.getvalue()[700:]]), {}


def test_the_written_file_is_compared_with_the_entrypoints_program(tmp_path):
    import tarfile
    program = b"\x7fELF" + bytes(range(256)) * 8
    container = _Holding("/app/server", program)
    state = {"attrs": {"Config": {"Entrypoint": ["/app/server"]}}}
    path = tmp_path / "entrypoint-program"
    assert goals._read_program(container, path, state) == \
        {"file": False, "tar": False, "same": False, "sha256": ""}
    path.write_bytes(program)
    assert goals._read_program(container, path, state) == \
        {"file": True, "tar": False, "same": True,
         "sha256": hashlib.sha256(program).hexdigest()}
    path.write_bytes(program[:-1])
    assert goals._read_program(container, path, state)["same"] is False
    with tarfile.open(path, "w") as tar:            # what an archive of it would be
        tar.add(tmp_path, arcname="app")
    assert goals._read_program(container, path, state)["tar"] is True
    state["attrs"]["Config"]["Entrypoint"] = ["/busybox/sh"]   # not there: not the same
    path.write_bytes(program)
    assert goals._read_program(container, path, state)["same"] is False


def test_the_same_command_twice_hashes_the_same():
    one = _state("01-publish")["attrs"]
    two = copy.deepcopy(one)
    one["Config"]["Hostname"], two["Config"]["Hostname"] = "0f1e2d3c4b5a", "a5b4c3d2e1f0"
    assert goals.config_hash(one) == goals.config_hash(two)
    two["State"]["ExitCode"] = 137
    assert goals.config_hash(one) != goals.config_hash(two)
