"""Replay mode: the recorded run covers what the notebooks show, says where it came from, agrees
with itself, and the CLI and every notebook work with no engine reachable."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from lessons import catalog, exercises, record, transcripts
from lessons.sources import RECORDED, RecordedSource

ROOT = catalog.REPO_ROOT
NO_ENGINE = {"DOCKER_HOST": "unix:///nonexistent/sizedrop-no-engine.sock",
             "LESSONS_REQUIRE_ENGINE": ""}
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def test_recorded_run_has_provenance():
    p = json.loads((RECORDED / "provenance.json").read_text())
    for key in ("date", "image_set", "engine_version", "storage_driver", "architecture",
                "builder"):
        assert p.get(key), key
    assert p["command"].startswith("python -m lessons record")
    assert "BuildKit" in p["builder"]
    # Each part says when, from which commit, by which command and on which engine it was
    # taken (a record may be made in several runs, `--only` some parts each time).
    for name, part in p["parts"].items():
        assert name in record.PARTS, name
        for key in ("commit", "date", "command", "engine_version"):
            assert part.get(key), (name, key)
        assert part["command"].startswith("python -m lessons record"), name
    assert set(p["seconds_per_part"]) <= set(p["parts"])
    # The replay is one engine's: every part of the record, taken on the engine it names.
    assert set(p["parts"]) == set(record.PARTS)
    assert {part["engine_version"] for part in p["parts"].values()} == {p["engine_version"]}


@pytest.mark.parametrize("table", ["sizes", "inventory", "layers", "runtime", "answers",
                                   "files"])
def test_recorded_tables_cover_every_app_and_variant(table):
    df = pd.read_csv(RECORDED / f"{table}.csv")
    have = set(zip(df["language"], df["variant"]))
    want = {(v.language, v.variant) for v in catalog.variants()}
    assert want <= have, f"{table} lacks {sorted(want - have)}"


def test_recorded_sizes_are_consistent():
    df = pd.read_csv(RECORDED / "sizes.csv")
    assert (df["compressed_mb"] < df["uncompressed_mb"]).all()
    assert df["answered"].all()


def test_recorded_file_counts_agree_between_tables():
    """files.csv (the explorer) and inventory.csv (the attack surface) count the same files."""
    files = pd.read_csv(RECORDED / "files.csv")
    inv = pd.read_csv(RECORDED / "inventory.csv").set_index(["language", "variant"])
    roots = files[files["folder"] == "/"].set_index(["language", "variant"])["files"]
    for key, count in roots.items():
        assert count == inv.loc[key, "files"], f"{key}: files.csv {count}, " \
                                               f"inventory.csv {inv.loc[key, 'files']}"


def test_recorded_build_costs():
    df = pd.read_csv(RECORDED / "buildcost.csv")
    assert set(df["language"]) == set(catalog.LANGUAGES)
    # figures, not targets: how much the cache saves is reported, never asserted
    assert (df["cold_s"] > 0).all() and (df["warm_s"] > 0).all()
    assert (df["cached_steps"] <= df["steps"]).all()
    # a source-only change re-runs the step that copies the sources: a warm rebuild that ran
    # nothing was a cache hit on an earlier build, not a rebuild
    assert df["rebuilt_steps"].fillna("").str.contains("COPY").all(), df
    go = df[(df["language"] == "go") & (df["variant"] == "multi-stage")]
    assert set(go["dockerfile"]) == {"multi-stage.dockerfile",
                                     "go-without-cache-mounts.dockerfile"}


def test_recorded_exercise_checks_fail_the_mistake_and_pass_the_solution():
    src = RecordedSource()
    for ex in exercises.EXERCISES:
        solution = exercises.recorded_check(ex, src, "solution")
        mistake = exercises.recorded_check(ex, src, "mistake")
        assert solution.passed, f"{ex}: recorded solution {solution.report()}"
        assert not mistake.passed and mistake.reason, f"{ex}: recorded mistake passed"


def test_every_notebook_has_a_transcript_of_its_commands():
    for nb in NOTEBOOKS:
        entries = transcripts.load(nb.stem)
        assert entries, f"no recorded transcript for {nb.name}"
        assert all({"command", "output", "exit_code"} <= set(e) for e in entries)


def _env(**extra):
    env = dict(os.environ)
    env.update(NO_ENGINE)
    env.update(extra)
    return env


def test_compare_without_engine_prints_the_recorded_table():
    proc = subprocess.run([sys.executable, "-m", "lessons", "compare"], capture_output=True,
                          text=True, env=_env(), cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "RECORDED run of" in proc.stdout
    assert "source: recorded" in proc.stdout
    for v in catalog.variants():
        assert v.variant in proc.stdout


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_runs_in_replay_mode(notebook, tmp_path, monkeypatch):
    """Every notebook executed top to bottom with the engine made unreachable, as Run All does
    on Binder: a cell whose kernel reply is an error (the lab's one-line errors included, which
    print no traceback) stops it. Every docker command a notebook types must have its recorded
    output (none may say it is not in the recording)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    misses = tmp_path / "misses.txt"
    for key, value in {**NO_ENGINE, transcripts.ENV_MISSES: str(misses)}.items():
        monkeypatch.setenv(key, value)                # the kernel inherits them
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent)}})
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(f"{notebook.name} stopped in replay mode:\n{str(err)[-3000:]}")
    missed = misses.read_text() if misses.exists() else ""
    assert not missed, "commands with no recorded output:\n" + missed
