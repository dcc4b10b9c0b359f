"""The benchmark's smoke test: `benchmarks/run.py --quick` runs every cheap part on the live
engine and writes a report with measured figures. The full run is a command whose report is
committed (benchmarks/report.md); no test asserts a speed or size target."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from lessons import catalog

pytestmark = pytest.mark.live


def test_quick_benchmark_writes_a_measured_report(client, image_set, tmp_path):
    parts = ["sizes", "floors", "published", "scratch", "reproducible", "registry"]  # ~4 min
    proc = subprocess.run([sys.executable, "benchmarks/run.py", "--quick", "--out", str(tmp_path),
                           "--parts", *parts], cwd=catalog.REPO_ROOT, capture_output=True,
                          text=True, timeout=3600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = (tmp_path / "report.md").read_text()
    for heading in ("## Headlines", "## Each image against its floor",
                    "## Against the best published results", "## Reproducible builds",
                    "## Compressed as a registry stores it",
                    "## What the scratch image carries besides the binary"):
        assert heading in report, heading
    assert (tmp_path / "floor.png").stat().st_size > 10_000
    # the registry ratio is a measured number near 1 (gzip by the engine against ours)
    m = re.search(r"Registry bytes over the lab's gzip -6: (\d+\.\d+)-(\d+\.\d+)", report)
    assert m and 0.5 < float(m.group(1)) <= float(m.group(2)) < 2, report
    # the Go scratch row of the reproducibility table says True or False, never blank
    section = report.split("## Reproducible builds", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in section.splitlines() if line.startswith("| go | scratch | "))
    assert re.match(r"\| go \| scratch \| [^|]+ \| (True|False) \| (True|False) \|", row), row
