"""The benchmark reports' small helpers: table cells and the one-line summary of a failed
build (benchmarks/run.py and benchmarks/arm64.py, imported as the scripts import each other)."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

from lessons import catalog
from lessons.errors import BuildFailed

sys.path.insert(0, str(catalog.REPO_ROOT / "benchmarks"))
import arm64  # noqa: E402
import run  # noqa: E402


def test_a_count_column_with_a_gap_stays_counts():
    df = pd.DataFrame([{"variant": "scratch", "files": 447, "MB": 3.6, "cmd": "a | b"},
                       {"variant": "traced", "files": None, "MB": None, "cmd": None}])
    assert df["files"].dtype == float                     # what pandas does with the gap
    lines = run.md_table(df).splitlines()
    assert lines[2] == "| scratch | 447 | 3.6 | a \\| b |"
    assert lines[3] == "| traced |  |  |  |"


@pytest.mark.parametrize("step, tail, expected", [
    ("[build 4/6] RUN python -m unittest", ["#9 12.3 FAIL: test_stop", "#9 ERROR: process did "
     "not complete successfully: exit code: 1"],
     "failed at '[build 4/6] RUN python -m unittest': #9 ERROR: process did not complete "
     "successfully: exit code: 1"),
    ("", ["ERROR: failed to solve: gcr.io/distroless/static-debian13:nonroot: no match for "
          "platform in manifest: not found"],
     "failed before its first step: ERROR: failed to solve: gcr.io/distroless/static-debian13"
     ":nonroot: no match for platform in manifest: not found"),
    ("", [], "failed before its first step: the build failed"),
])
def test_a_failed_build_is_summarised_with_its_error_line(step, tail, expected):
    err = BuildFailed("the build failed", step=step, log_tail=tail)
    assert arm64.build_failure(err) == expected
