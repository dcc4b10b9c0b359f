"""Unit tests of the plain functions behind the notebooks' widgets and check cells."""

from __future__ import annotations

import io
import tarfile

import pandas as pd
import pytest

from lessons import challenge, explorer, nb


def _fs(files: dict[str, int]) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, size in files.items():
            info = tarfile.TarInfo(name)
            info.size = size
            t.addfile(info, io.BytesIO(b"x" * size))
    buf.seek(0)
    return buf


def test_explorer_folder_summary_and_navigation():
    table = explorer.folders_from_tar(_fs({"usr/bin/a": 1000, "usr/lib/x/y/z.so": 3000,
                                           "etc/passwd": 10}))
    root = table[table["folder"] == "/"].iloc[0]
    assert root["files"] == 3 and root["mb"] == 0.004  # MB, rounded to 1 kB
    top = explorer.children(table, "/")
    assert list(top["folder"]) == ["/usr", "/etc"]          # biggest first
    assert list(explorer.children(table, "usr")["folder"]) == ["/usr/lib", "/usr/bin"]
    # deeper than MAX_DEPTH counts in its parent
    assert "/usr/lib/x/y" not in set(table["folder"])
    assert table[table["folder"] == "/usr/lib/x"].iloc[0]["files"] == 1
    assert explorer.parent("/usr/lib") == "/usr" and explorer.parent("/usr") == "/"


def test_pull_time_is_arithmetic_on_compressed_size():
    df = pd.DataFrame({"language": ["go"], "variant": ["distroless"], "compressed_mb": [10.0]})
    one = nb.pull_seconds(df, [100, 8])
    assert one.iloc[0]["100 Mbit/s"] == pytest.approx(0.8)
    assert one.iloc[0]["8 Mbit/s"] == pytest.approx(10.0)
    fleet = nb.pull_seconds(df, 1000, nodes=10, registry_mbit=1000)  # 100 Mbit/s each
    assert fleet.iloc[0]["1000 Mbit/s"] == pytest.approx(0.8)


def test_challenge_target_is_measured_size_times_factor_rounded_up():
    sizes = pd.DataFrame({"language": ["go", "java"], "variant": ["distroless", "distroless"],
                          "uncompressed_mb": [7.52, 229.7]})
    assert challenge.target_mb(sizes, "go") == 12.0      # 11.28 -> 12
    assert challenge.target_mb(sizes, "java") == 350.0   # 344.55 -> 350
    with pytest.raises(Exception, match="no measured size"):
        challenge.target_mb(sizes, "python")


def test_verdict_never_fails_an_unanswered_exercise(capsys):
    nb.verdict(None, "exercise 1")
    nb.verdict(True, "exercise 1")
    nb.verdict(False, "exercise 1", "look again")
    out = capsys.readouterr().out
    assert out.count("PASS") == 1 and out.count("FAIL") == 1
