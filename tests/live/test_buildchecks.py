"""Build checks and modern syntax on the live engine and this docker client. Each test
asserts what THIS engine must do: Docker 27+ with buildx 0.15+ runs BuildKit's checks;
an older client refuses them and hadolint judges (Debian 12's Docker 20.10, buildx 0.13.1)."""

from __future__ import annotations

import pytest

from lessons import buildchecks, modern

pytestmark = pytest.mark.live

# What notebook 06 teaches: the rules the demo must make BuildKit report.
TAUGHT = {"FromAsCasing", "StageNameCasing", "LegacyKeyValueFormat", "UndefinedVar",
          "WorkdirRelativePath", "ConsistentInstructionCasing", "SecretsUsedInArgOrEnv",
          "MaintainerDeprecated", "JSONArgsRecommended"}


def _engine_major(client) -> int:
    return int(client.version()["Version"].split(".")[0])


def test_the_demo_has_its_findings_with_whichever_tool_judges(client, image_set):
    path = buildchecks.FINDINGS
    judged = buildchecks.judge(path, buildchecks.CONTEXT, buildchecks.base_args(path, image_set))
    rules = {f.rule for f in judged.findings}
    if judged.refusal:
        assert judged.refusal.startswith("unknown flag: --c")
        assert judged.tool == "hadolint"
        assert rules == {"DL3000", "DL3064", "DL4000", "DL3025"}
    else:
        assert judged.tool == buildchecks.BUILDKIT
        assert rules == TAUGHT


def test_engine_b_runs_buildkits_checks_and_engine_a_does_not(client):
    client_version = buildchecks.versions()["buildx"]
    judged = buildchecks.buildkit(buildchecks.FIXED, buildchecks.CONTEXT,
                                  buildchecks.base_args(buildchecks.FIXED, "local"))
    old_client = tuple(int(x) for x in client_version.split()[1].split(".")[:2]) < (0, 15)
    assert bool(judged.refusal) == old_client, (client_version, judged.refusal)


def test_the_fixed_demo_has_no_finding_builds_and_answers(client, image_set, capsys):
    found = buildchecks.verify(client, image_set, buildchecks.FIXED)
    out = capsys.readouterr().out
    try:
        assert found.empty
        assert "PASS: it still builds" in out, out
        assert "PASS: the image answers" in out, out
    finally:
        _, tag = buildchecks.build_argv(buildchecks.FIXED, image_set)
        client.images.remove(tag, force=True)


def test_the_unfixed_demo_fails_the_check_and_is_not_built(client, image_set, capsys):
    found = buildchecks.verify(client, image_set, buildchecks.FINDINGS)
    out = capsys.readouterr().out
    assert len(found) >= 5 and "FAIL: " in out and "$ docker buildx build --progress" not in out


def test_which_modern_syntax_the_builtin_frontend_takes(client, image_set):
    took = modern.accepts(image_set).set_index("feature")
    new_engine = _engine_major(client) >= 23
    assert bool(took.loc["COPY --link", "accepted"]) == new_engine
    assert bool(took.loc["RUN heredoc", "accepted"]) == new_engine
    # No registry serves docker/dockerfile:1 here: the directive fails on every engine.
    assert not took.loc["# syntax=docker/dockerfile:1", "accepted"]
    assert "docker/dockerfile" in took.loc["# syntax=docker/dockerfile:1", "engine said"]
    if not new_engine:
        assert "Unknown flag: link" in took.loc["COPY --link", "engine said"]
        assert "unknown instruction" in took.loc["RUN heredoc", "engine said"]


def test_heredoc_and_chain_make_the_same_layers(client, image_set):
    if _engine_major(client) < 23:
        with pytest.raises(modern.LabError, match="unknown instruction"):
            modern.layers_alike(image_set)
        return
    df = modern.layers_alike(image_set)
    assert df["layers"].nunique() == 1 and df["/srv/data holds"].nunique() == 1
    assert df["/srv/data holds"].iloc[0].startswith("65532:65532 21 ")


def test_copy_link_rebases_instead_of_copying(client, image_set):
    if _engine_major(client) < 23:
        with pytest.raises(modern.LabError, match="Unknown flag: link"):
            modern.link_rebuilds(image_set, rounds=1)
        return
    df = modern.link_rebuilds(image_set, rounds=1)
    steps = df.set_index("copy")["copy step"]
    assert steps["COPY --link"] == "DONE 0.0s"      # only stacked on the new base
    assert steps["COPY"].startswith("DONE")         # ran again on the new base
