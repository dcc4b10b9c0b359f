"""Replay mode: the recorded run covers what the notebooks show, says where it came from,
and the CLI and every notebook work with no engine reachable."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from lessons import catalog, recorded

ROOT = catalog.REPO_ROOT
NO_ENGINE = {"DOCKER_HOST": "unix:///nonexistent/sizedrop-no-engine.sock",
             "LESSONS_REQUIRE_ENGINE": ""}


def test_recorded_run_has_provenance():
    p = json.loads((recorded.DIR / "provenance.json").read_text())
    for key in ("date", "image_set", "engine_version", "storage_driver", "architecture"):
        assert p.get(key), key
    assert p["command"] == "python -m lessons record"


def test_recorded_build_costs_cover_every_app():
    df = pd.read_csv(recorded.DIR / "buildcost.csv")
    assert set(df["language"]) == set(catalog.LANGUAGES)
    # figures, not targets: how much the cache saves is reported, never asserted
    assert (df["cold_s"] > 0).all() and (df["warm_s"] > 0).all()
    assert (df["cached_steps"] <= df["steps"]).all()


@pytest.mark.parametrize("table", ["sizes", "inventory", "layers", "runtime"])
def test_recorded_tables_cover_every_app_and_variant(table):
    df = pd.read_csv(recorded.DIR / f"{table}.csv")
    have = set(zip(df["language"], df["variant"]))
    want = {(v.language, v.variant) for v in catalog.variants()}
    assert want <= have, f"{table} lacks {sorted(want - have)}"


def test_recorded_sizes_are_consistent():
    df = pd.read_csv(recorded.DIR / "sizes.csv")
    assert (df["compressed_mb"] < df["uncompressed_mb"]).all()
    assert df["answered"].all()


def _env():
    env = dict(os.environ)
    env.update(NO_ENGINE)
    return env


def test_compare_without_engine_prints_the_recorded_table():
    proc = subprocess.run([sys.executable, "-m", "lessons", "compare"], capture_output=True,
                          text=True, env=_env(), cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "RECORDED run of" in proc.stdout
    assert "source: recorded" in proc.stdout
    for v in catalog.variants():
        assert v.variant in proc.stdout


def test_every_notebook_runs_in_replay_mode():
    """nbval over every notebook with the engine made unreachable."""
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-current-env", "-o", "addopts=", "notebooks"],
        capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=1800)
    print(proc.stdout[-3000:])
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and " failed" not in proc.stdout
