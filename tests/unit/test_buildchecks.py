"""lessons.buildchecks and lessons.modern without an engine: reading BuildKit's and
hadolint's JSON, the fallback when the client has no build checks, the rule table, and the
build-log readers of the modern-syntax measurements. Output shapes are those seen on
2026-12-07 (buildx 0.29.1 against Docker 28.5.2; buildx 0.13.1; hadolint 2.15.1)."""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest

from lessons import buildchecks, modern
from lessons.errors import LabError

CHECK_JSON = json.dumps({"warnings": [
    {"ruleName": "JSONArgsRecommended", "description": "JSON arguments recommended",
     "url": "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
     "detail": "JSON arguments recommended for ENTRYPOINT to prevent unintended behavior "
               "related to OS signals",
     "location": {"ranges": [{"start": {"line": 22}, "end": {"line": 22}}]}},
    {"ruleName": "FromAsCasing", "detail": "'as' and 'FROM' keywords' casing do not match",
     "location": {"ranges": [{"start": {"line": 9}, "end": {"line": 9}}]}},
], "sources": []})
HADOLINT_JSON = json.dumps([
    {"code": "DL3025", "column": 1, "file": "Dockerfile", "level": "warning", "line": 22,
     "message": "Use arguments JSON notation for CMD and ENTRYPOINT arguments"},
    {"code": "DL3000", "column": 1, "file": "Dockerfile", "level": "error", "line": 12,
     "message": "Use absolute WORKDIR"}])
REFUSED = "unknown flag: --call\nSee 'docker buildx build --help'.\n"


def test_parse_check_reads_rule_line_and_detail_in_file_order():
    found = buildchecks.parse_check(CHECK_JSON)
    assert [(f.rule, f.line) for f in found] == [("FromAsCasing", 9),
                                                 ("JSONArgsRecommended", 22)]
    assert found[1].detail.startswith("JSON arguments recommended for ENTRYPOINT")
    assert {f.tool for f in found} == {buildchecks.BUILDKIT}


def test_parse_check_of_a_clean_file_and_of_garbage():
    assert buildchecks.parse_check("") == []
    assert buildchecks.parse_check('{"warnings": null, "sources": []}') == []
    with pytest.raises(LabError, match="not JSON"):
        buildchecks.parse_check("Check complete, no warnings found.")


def test_parse_hadolint():
    found = buildchecks.parse_hadolint(HADOLINT_JSON)
    assert [(f.tool, f.rule, f.line) for f in found] == [("hadolint", "DL3000", 12),
                                                         ("hadolint", "DL3025", 22)]
    assert buildchecks.parse_hadolint("[]") == []


def test_refusal_is_the_clients_own_line():
    assert buildchecks.refusal(REFUSED) == "unknown flag: --call"
    assert buildchecks.refusal("unknown flag: --check\n") == "unknown flag: --check"
    assert buildchecks.refusal("#1 [internal] load build definition\n") == ""


def _fake_cli(monkeypatch, answers: dict):
    """subprocess.run answering by the program's second word (buildx, hadolint's flags)."""
    calls = []

    def run(argv, **kwargs):
        calls.append(argv)
        key = "buildx" if argv[:2] == ["docker", "buildx"] else "hadolint"
        code, out, err = answers[key]
        return subprocess.CompletedProcess(argv, code, out, err)
    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.setattr(buildchecks, "_hadolint_exe", lambda: "/usr/bin/hadolint")
    return calls


def test_judge_uses_buildkit_where_the_client_has_checks(monkeypatch, tmp_path):
    calls = _fake_cli(monkeypatch, {"buildx": (1, CHECK_JSON, "#1 ...")})
    judged = buildchecks.judge(tmp_path / "Dockerfile", tmp_path, {"GO_IMAGE": "g"})
    assert judged.tool == buildchecks.BUILDKIT and not judged.refusal
    assert len(judged.findings) == 2
    assert "--call=check,format=json" in calls[0] and "GO_IMAGE=g" in calls[0]


def test_judge_falls_back_to_hadolint_and_keeps_the_refusal(monkeypatch, tmp_path):
    calls = _fake_cli(monkeypatch, {"buildx": (125, "", REFUSED),
                                    "hadolint": (1, HADOLINT_JSON, "")})
    judged = buildchecks.judge(tmp_path / "Dockerfile")
    assert judged.tool == "hadolint" and judged.refusal == "unknown flag: --call"
    assert [f.rule for f in judged.findings] == ["DL3000", "DL3025"]
    assert "--config" in calls[1] and "-f" in calls[1]


def test_a_failed_check_is_one_line_not_an_empty_verdict(monkeypatch, tmp_path):
    _fake_cli(monkeypatch, {"buildx": (1, "", "ERROR: failed to solve: no such image")})
    with pytest.raises(LabError, match="no such image"):
        buildchecks.judge(tmp_path / "Dockerfile")


def test_verify_with_findings_says_fail_and_does_not_build(monkeypatch, tmp_path):
    calls = _fake_cli(monkeypatch, {"buildx": (1, CHECK_JSON, "")})
    monkeypatch.setattr(buildchecks.build, "run_build",
                        lambda *a, **k: pytest.fail("built a Dockerfile with findings"))
    said = []
    found = buildchecks.verify(object(), "local", buildchecks.FINDINGS, say=said.append)
    assert list(found["rule"]) == ["FromAsCasing", "JSONArgsRecommended"]
    assert said[0].startswith("$ docker buildx build --call=check")
    assert said[-1].startswith("FAIL: docker build --check finds 2 finding(s)")
    assert len(calls) == 1


def test_verify_in_replay_judges_with_hadolint_and_builds_nothing(monkeypatch):
    calls = _fake_cli(monkeypatch, {"hadolint": (0, "[]", "")})
    said = []
    found = buildchecks.verify(None, "local", buildchecks.FIXED, say=said.append)
    assert found.empty and all(c[0] != "docker" for c in calls)
    assert any(s.startswith("PASS: hadolint finds nothing") for s in said)
    assert said[-1].startswith("NOT CHECKED")


def test_verify_without_the_file():
    with pytest.raises(LabError, match="no Dockerfile"):
        buildchecks.verify(None, "local", buildchecks.DEMOS / "nothing-here")


def test_work_file_is_a_copy_made_once(tmp_path):
    path = buildchecks.work_file(tmp_path)
    assert path.read_text() == buildchecks.FINDINGS.read_text()
    path.write_text("FROM scratch\n")
    assert buildchecks.work_file(tmp_path).read_text() == "FROM scratch\n"


def test_rule_table_counts_files_and_marks_a_refusing_client():
    rows = [
        ("a", "docker build --check", "Docker 28.5.2", "buildx 0.29.1", "JSONArgsRecommended", 2, ""),
        ("b", "docker build --check", "Docker 28.5.2", "buildx 0.29.1", "JSONArgsRecommended", 1, ""),
        ("a", "hadolint", "", "hadolint 2.15.1", "DL3025", 1, ""),
        ("a", "docker build --check", "Docker 20.10.24", "buildx 0.13.1", "", 0,
         "unknown flag: --call"),
    ]
    df = pd.DataFrame(rows, columns=["file", "tool", "engine", "client", "rule", "count", "note"])
    table = buildchecks.rule_table(df)
    assert table.loc["JSONArgsRecommended",
                     "docker build --check, Docker 28.5.2 + buildx 0.29.1"] == 2
    assert table.loc["DL3025", "hadolint, hadolint 2.15.1"] == 1
    assert set(table["docker build --check, Docker 20.10.24 + buildx 0.13.1"]) == {"refused"}
    assert table.loc["DL3025", "same mistake in the other tool"] == "JSONArgsRecommended"


def test_the_committed_table_covers_both_engines_and_the_demo():
    df = pd.read_csv(buildchecks.REPO_TABLE, keep_default_na=False)
    engines = set(df.loc[df["tool"] == buildchecks.BUILDKIT, "engine"])
    assert any(e.startswith("Docker 28.5") for e in engines)
    assert any(e.startswith("Docker 20.10") for e in engines)
    demo = df[(df["file"] == "notebooks/demos/build-checks/findings/Dockerfile")
              & (df["engine"].str.startswith("Docker 28.5"))]
    assert set(demo["rule"]) >= {"FromAsCasing", "StageNameCasing", "LegacyKeyValueFormat",
                                 "UndefinedVar", "WorkdirRelativePath",
                                 "SecretsUsedInArgOrEnv", "JSONArgsRecommended"}


def test_engine_words_pick_the_error_line():
    log = ("#1 [internal] load build definition\n#1 DONE 0.0s\n"
           "ERROR: failed to solve: dockerfile parse error line 2: Unknown flag: link\n")
    assert modern.engine_words(log).endswith("Unknown flag: link")
    assert modern.engine_words("") == "(no output)"


@pytest.mark.parametrize("status", ["DONE 0.0s", "DONE 0.1s", "CACHED"])
def test_copy_step_reads_how_buildkit_reported_the_copy(status):
    log = ("#10 [build 4/4] RUN go build -o /out/server .\n#10 CACHED\n\n"
           "#11 [runtime 2/2] COPY --link --from=build /out/server /app/server\n"
           f"#11 {status}\n\n#12 exporting to image\n#12 DONE 0.2s\n")
    assert modern._copy_step(log) == status
    assert modern._copy_step("#12 exporting to image\n") == "?"
