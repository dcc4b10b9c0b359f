"""Composed-command goals, live (lessons.goals): for each goal the instructor's reference
command (instructor/solutions/<goal>/command.sh), run through bash as a learner's cell would
run it, passes the check; wrong commands a learner might write each fail, with reasons that do
not give the reference's key flag away. The test removes only what its own commands made."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess

import docker.errors
import pytest

from lessons import catalog, goals, session
from lessons import lab as verbs
from lessons.catalog import REPO_ROOT

pytestmark = pytest.mark.live

SOLUTIONS = REPO_ROOT / "instructor" / "solutions"
LABEL = "--label sizedrop.container=true"
NAME = {g.id: g.name + "-$SIZEDROP_SESSION" for g in goals.GOALS.values()}
JLINK_BUILD = ("docker build -q --build-arg JDK_IMAGE --build-arg DISTROLESS_STATIC_IMAGE "
               "-f ../sample_apps/java/jlink.dockerfile --label sizedrop.managed=true "
               f"-t {NAME['02-java-runtime']} ../sample_apps/java")
GO_RUN = f"docker run -d --name {NAME['01-publish']} {LABEL} -e PORT=9090 -p 127.0.0.1::9090 "
LOCKED = (f"docker run -d --name {NAME['03-locked-down']} {LABEL} --read-only --cap-drop ALL "
          "--user 65532:65532 --memory 128m -p 127.0.0.1::8080 ")
STOPPER = f"docker run -d --name {NAME['04-clean-stop']} {LABEL} --memory 256m "
PEEK = (f"docker create --name {NAME['05-one-file']} {LABEL} sizedrop.invalid/go-app:distroless"
        " && ")
JAIL = f"docker run -d --name {NAME['06-no-network']} {LABEL} "

# goal -> (the images its commands need, the reference's key flags, wrong commands: the worked
# examples on screen adapted, and near misses)
CASES = {
    "01-publish": (
        [("go", "single-stage")], ["127.0.0.1:", "-p ", "PORT=9090", "--restart", "on-failure"],
        [GO_RUN + "sizedrop.invalid/go-app:single-stage",
         GO_RUN + "--restart unless-stopped sizedrop.invalid/go-app:single-stage",
         f"docker run -d --name {NAME['01-publish']} -p 127.0.0.1::8080 "
         "sizedrop.invalid/go-app:multi-stage"]),
    "02-java-runtime": (
        [("java", "jlink")], ["--target"],
        [JLINK_BUILD.replace("-q ", "-q --target test "),
         JLINK_BUILD.replace("-q ", "-q --target libs "),
         JLINK_BUILD]),
    "03-locked-down": (
        [("python", "distroless")],
        ["--read-only", "--cap-drop", "--memory", "127.0.0.1:", "--cpus", "--health-interval"],
        [LOCKED + "sizedrop.invalid/python-app:distroless",
         LOCKED + "--cpus 0.5 --health-interval 5s sizedrop.invalid/python-app:distroless",
         f"docker run -d --name {NAME['03-locked-down']} {LABEL} --read-only --cap-drop ALL "
         "--user 0 --memory 256m -p 8080 sizedrop.invalid/python-app:distroless"]),
    "04-clean-stop": (
        [("java", "jlink")], ["--stop-timeout", "docker stop"],
        [STOPPER + "--stop-timeout 5 sizedrop.invalid/java-app:jlink && sleep 2 && "
         f"docker kill {NAME['04-clean-stop']}",
         STOPPER + "sizedrop.invalid/java-app:jlink && sleep 3 && "
         f"docker stop -t 5 {NAME['04-clean-stop']}",
         STOPPER + "--stop-timeout 5 sizedrop.invalid/java-app:jlink"]),
    "05-one-file": (
        [("go", "distroless")], ["docker create", "docker cp", "/app/server"],
        [PEEK + f"docker export -o $SIZEDROP_TMP/entrypoint-program {NAME['05-one-file']}",
         PEEK + f"docker cp {NAME['05-one-file']}:/app/server - "
         "> $SIZEDROP_TMP/entrypoint-program",
         PEEK + f"docker cp {NAME['05-one-file']}:/etc/passwd $SIZEDROP_TMP/entrypoint-program",
         f"docker run -d --name {NAME['05-one-file']} {LABEL} sizedrop.invalid/go-app:distroless"
         f" && docker cp {NAME['05-one-file']}:/app/server $SIZEDROP_TMP/entrypoint-program"]),
    "06-no-network": (
        [("go", "scratch")],
        ["--network", "--ulimit", "--pids-limit", "no-new-privileges", "--read-only"],
        [JAIL + "--read-only --pids-limit 32 --security-opt no-new-privileges "
         "sizedrop.invalid/go-app:scratch",
         JAIL + "--network none --pids-limit 32 --security-opt no-new-privileges --read-only "
         "sizedrop.invalid/go-app:scratch"]),
}


@pytest.fixture(scope="module")
def sid():
    return "goal" + secrets.token_hex(3)


@pytest.fixture(scope="module")
def env(client, image_set, sid):
    values = dict(os.environ)
    values.update(verbs.build_env(client, image_set, say=lambda _: None))
    values.update({session.ENV: sid, session.TMP_ENV: str(session.tmp_path(sid))})
    session.tmp_path(sid).mkdir(exist_ok=True)
    yield values
    shutil.rmtree(session.tmp_path(sid), ignore_errors=True)


@pytest.fixture(autouse=True)
def progress(tmp_path, monkeypatch):
    monkeypatch.setenv("LESSONS_WORK", str(tmp_path / "work"))


def _remove(client, g, sid):
    """Remove what this test's command made for goal ``g`` (by its session's name), only."""
    name = g.full_name(sid)
    try:
        if g.kind == "image":
            client.images.remove(name, force=False)
        else:
            client.containers.get(name).remove(force=True)
    except docker.errors.NotFound:
        pass
    if g.writes:
        (session.tmp_path(sid) / g.writes).unlink(missing_ok=True)


def _attempt(client, g, sid, env, command: str) -> goals.Verdict:
    _remove(client, g, sid)
    subprocess.run(["bash", "-c", command], cwd=REPO_ROOT / "notebooks", env=env,
                   check=True, capture_output=True, timeout=600)
    return goals.check(g.id, client, sid)


@pytest.mark.parametrize("goal_id", sorted(CASES))
def test_reference_passes_and_wrong_commands_fail_without_the_answer(
        goal_id, client, image_set, build, sid, env, capsys):
    needs, key_flags, wrong = CASES[goal_id]
    for language, variant in needs:
        build(catalog.variant(language, variant))
    g = goals.GOALS[goal_id]
    reference = (SOLUTIONS / goal_id / "command.sh").read_text()
    assert all(flag in reference for flag in key_flags)   # the flags are the answer's
    try:
        verdict = _attempt(client, g, sid, env, reference)
        assert verdict.passed, "\n".join(verdict.lines)
        for command in wrong:
            verdict = _attempt(client, g, sid, env, command)
            reasons = [line for line in verdict.lines if not line.startswith("  [x] ")]
            assert not verdict.passed, (command, verdict.lines)
            assert any(line.startswith("  [ ] ") for line in reasons), verdict.lines
            for line in reasons:
                assert not any(flag in line for flag in key_flags), (command, line)
        runs = goals.attempts(goal_id, sid)
        assert [r["passed"] for r in runs] == [True] + [False] * len(wrong)
        assert len({r["attempt"] for r in runs}) == len(runs)   # all different attempts
    finally:
        _remove(client, g, sid)
    capsys.readouterr()
