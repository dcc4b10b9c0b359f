"""Unit tests of the plain functions behind the notebooks' tables, widgets and check cells."""

from __future__ import annotations

import io
import re
import tarfile

import pandas as pd
import pytest

from lessons import catalog, challenge, explorer, inventory, nb, schedule


def _fs(files: dict[str, int], links: dict[str, str] | None = None) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, size in files.items():
            info = tarfile.TarInfo(name)
            info.size = size
            t.addfile(info, io.BytesIO(b"x" * size))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            t.addfile(info)
    buf.seek(0)
    return buf


def test_folder_table_and_navigation():
    table = inventory.folders_from_tar(_fs({"usr/bin/a": 1000, "usr/lib/x/y/z.so": 3000,
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


def test_folder_table_and_inventory_count_files_the_same_way():
    """The explorer's files.csv and the attack-surface inventory.csv must agree: the engine's
    placeholders (.dockerenv, /etc/hosts...) are left out, and so are symbolic links."""
    files = {"./.dockerenv": 0, "./etc/hosts": 5, "./app/server": 100, "./etc/passwd": 20}
    links = {"./bin": "usr/bin"}
    table = inventory.folders_from_tar(_fs(files, links))
    inv = inventory.read_filesystem(_fs(files, links))
    assert table[table["folder"] == "/"].iloc[0]["files"] == inv.files == 2


def test_pull_time_is_arithmetic_on_compressed_size():
    df = pd.DataFrame({"language": ["go"], "variant": ["distroless"], "compressed_mb": [10.0]})
    one = nb.pull_seconds(df, [100, 8])
    assert one.iloc[0]["100 Mbit/s"] == pytest.approx(0.8)
    assert one.iloc[0]["8 Mbit/s"] == pytest.approx(10.0)
    fleet = nb.pull_seconds(df, 1000, nodes=10, registry_mbit=1000)  # 100 Mbit/s each
    assert fleet.iloc[0]["1000 Mbit/s"] == pytest.approx(0.8)


def test_smallest_reports_ties_as_ties():
    df = pd.DataFrame({"language": ["go", "go", "go"],
                       "variant": ["multi-stage", "distroless", "scratch"],
                       "uncompressed_mb": [86.4, 7.0, 7.0]})
    assert nb.smallest(df).iloc[0]["smallest"] == "distroless = scratch"


def test_table_caption_names_the_source_and_skips_missing_fields():
    live = pd.DataFrame({"x": [1], "source": ["live"], "image_set": ["local"],
                         "engine_version": ["26.1.5"], "date": ["2026-12-02"]})
    assert nb.show(live).caption == "local image set, Docker 26.1.5, measured live 2026-12-02"
    answers = pd.DataFrame({"path": ["/"], "source": ["recorded 2026-12-01"]})
    assert nb.show(answers).caption == "recorded 2026-12-01 (replayed)"


def test_challenge_target_rounds_up_to_two_significant_figures():
    assert challenge.TARGET_FACTOR == 1.2
    assert challenge.round_up(7.0 * 1.2) == 9.0        # 8.4 -> 9 (whole MB at least)
    assert challenge.round_up(229.7 * 1.2) == 280.0    # 275.64 -> 280
    assert challenge.round_up(41.0) == 41.0


def test_challenge_targets_are_committed_measurements_of_the_three_services():
    df = challenge.targets()
    assert list(df["language"]) == list(challenge.SERVICES)
    assert list(df["service"]) == list(challenge.SERVICES.values())
    for row in df.itertuples():
        assert row.target_mb == challenge.round_up(row.reference_mb * challenge.TARGET_FACTOR)
        assert 0 < row.floor_mb < row.reference_mb < row.target_mb
        assert row.engine.startswith("Docker ") and row.image_set in ("local", "official")
        assert row.command == challenge.COMMAND and row.measured.startswith("20")
        assert challenge.target_mb(row.language) == row.target_mb


def test_a_missing_challenge_target_is_one_line(tmp_path):
    path = tmp_path / "targets.csv"
    challenge.targets().query("language != 'java'").to_csv(path, index=False)
    with pytest.raises(Exception, match="no measured target for java"):
        challenge.target_mb("java", path)
    with pytest.raises(Exception, match="cannot read the challenge targets"):
        challenge.targets(tmp_path / "none.csv")


def test_shell_form_commands_are_recognised():
    cfg = {"Entrypoint": ["/bin/sh", "-c", "/app/server"], "Cmd": None,
           "Healthcheck": {"Test": ["CMD-SHELL", "/app/server -healthcheck"]}}
    assert challenge.shell_form_commands(cfg) == ["ENTRYPOINT", "HEALTHCHECK"]
    exec_form = {"Entrypoint": ["/app/server"], "Healthcheck": {"Test": ["CMD", "/app/server"]}}
    assert challenge.shell_form_commands(exec_form) == []
    assert challenge.shell_form_commands({"Cmd": ["/bin/sh", "-c", "gunicorn"]}) == ["CMD"]


def test_verdict_never_fails_an_unanswered_warm_up(capsys):
    nb.verdict(None, "exercise 1")
    nb.verdict(True, "exercise 1")
    nb.verdict(False, "exercise 1", "look again")
    out = capsys.readouterr().out
    assert out.count("PASS") == 1 and out.count("FAIL") == 1


def test_half_day_agenda_fits_three_hours_and_the_readme_shows_both_agendas():
    half = schedule.agenda("half")
    end = half.iloc[-1]["start"]
    hours, minutes = map(int, end.split(":"))
    assert hours * 60 + minutes <= schedule.HALF_DAY_MIN, end
    readme = (catalog.REPO_ROOT / "notebooks" / "README.md").read_text()
    for kind in ("half", "full"):
        assert schedule.markdown(kind) in readme, f"notebooks/README.md: {kind}-day agenda is stale"
    # every notebook of the series is in the table, in order
    names = [n for n in schedule.table()["notebook"] if re.match(r"\d\d-", n)]
    assert names == sorted(p.stem for p in (catalog.REPO_ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def test_planned_minutes_cover_the_measured_run_times_and_the_readme_cites_them():
    times = pd.read_csv(schedule.MEASURED)
    assert set(times["engine"]) and times["source"].str.len().min() > 0
    slowest = times.groupby("notebook")[["run_min", "checks_min"]].max()
    plan = schedule.table().set_index("notebook")
    short = [f"{nb}: teach {plan.loc[nb[:-6], 'teach_min']} < run {r.run_min}"
             for nb, r in slowest.iterrows() if plan.loc[nb[:-6], "teach_min"] < r.run_min]
    short += [f"{nb}: exercises {plan.loc[nb[:-6], 'exercise_min']} < "
              f"{schedule.CHECK_RUNS} x checks {r.checks_min}"
              for nb, r in slowest.iterrows()
              if plan.loc[nb[:-6], "exercise_min"] < schedule.CHECK_RUNS * r.checks_min]
    assert not short, short
    # every notebook measured on every engine, and the README's table is the file's
    notebooks = {p.name for p in (catalog.REPO_ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")}
    for engine, rows in times.groupby("engine"):
        assert set(rows["notebook"]) == notebooks, engine
    readme = (catalog.REPO_ROOT / "notebooks" / "README.md").read_text()
    assert schedule.minutes_markdown() in readme, "notebooks/README.md: the minutes table is stale"


def test_save_measured_replaces_one_engines_rows(tmp_path, monkeypatch):
    cells = tmp_path / "cells.csv"
    cells.write_text("notebook,cell,check,seconds,outcome\n"
                     "01-x.ipynb,Cell 0,False,30,passed\n01-x.ipynb,Cell 1,True,90,passed\n")
    monkeypatch.setattr(schedule, "MEASURED", tmp_path / "measured.csv")
    schedule.save_measured(cells, "A", "run 1")
    schedule.save_measured(cells, "B", "run 1")
    rows = schedule.save_measured(cells, "A", "run 2")
    assert sorted(zip(rows["engine"], rows["source"])) == [("A", "run 2"), ("B", "run 1")]
    assert rows.iloc[0]["run_min"] == 2.0 and rows.iloc[0]["checks_min"] == 1.5


def test_columns_names_what_is_missing_and_keeps_the_provenance():
    recorded = pd.DataFrame({"language": ["go"], "variant": ["scratch"], "mb": [6.456],
                             "source": ["recorded 2026-12-01"], "image_set": ["local"]})
    with pytest.raises(nb.LabError, match="no column inspect_mb") as err:
        nb.columns(recorded, ["language", "inspect_mb"])
    assert "python -m lessons record" in err.value.hint and "mb" in err.value.hint
    picked = nb.columns(recorded, ["variant", "mb"])
    assert list(picked.columns) == ["variant", "mb"]
    styled = nb.show(picked)
    assert styled.caption == "local image set, recorded 2026-12-01 (replayed)"
    # tables made from a measured one say where they come from too
    assert nb.show(nb.smallest(recorded, "mb")).caption == styled.caption
    speeds = pd.DataFrame({"language": ["go"], "variant": ["scratch"], "compressed_mb": [2.0],
                           "source": ["live"]})
    assert nb.show(nb.pull_seconds(speeds, [100]), "pull").caption == "pull; measured live"


def test_show_hides_the_index_and_prints_the_decimals_values_have():
    df = pd.DataFrame({"variant": ["a", "b"], "mb": [6.94, 7.0], "ratio": [0.9973, 1.0],
                       "s": [0.0, 0.0], "n": [3, 4], "source": ["live", "live"]})
    html_text = nb.show(df).to_html()
    assert "6.94" in html_text and "7.00" in html_text and "6.940000" not in html_text
    assert "0.9973" in html_text and "0.0" in html_text
    assert ">live<" not in html_text, "the caption says it; no column repeats it"
    assert 'class="row_heading' not in html_text, "no index column"


def test_exports_are_lines_a_terminal_can_paste():
    from lessons import lab
    assert lab.exports({"GO_IMAGE": "sizedrop.invalid/golang:1.27-trixie",
                        "PIP_FIND_LINKS": "/wheels dir"}) == [
        "export GO_IMAGE=sizedrop.invalid/golang:1.27-trixie",
        "export PIP_FIND_LINKS='/wheels dir'"]


def test_every_lab_table_says_where_it_comes_from(monkeypatch):
    """Replay: each table the notebooks show is captioned with the recorded run, even after
    columns() has dropped the provenance columns."""
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    lab = nb.Lab.start(quiet=True)
    for table in (lab.sizes("go"), lab.layers("go", "scratch"), lab.attack_surface("go"),
                  lab.runtime("go")):
        caption = nb.show(nb.columns(table, ["variant"] if "variant" in table else
                                     ["layer"])).caption
        assert "(replayed)" in caption and "image set" in caption, caption


def test_measured_minutes_sum_each_notebooks_cells_and_its_checks(tmp_path):
    from lessons import schedule

    f = tmp_path / "times.csv"
    f.write_text("notebook,cell,check,seconds,outcome\n"
                 "01-a.ipynb,Cell 0,False,30.0,passed\n01-a.ipynb,Cell 1,True,90.0,passed\n"
                 "02-b.ipynb,Cell 0,False,6.0,failed\n")
    df = schedule.measured(f).set_index("notebook")
    assert df.loc["01-a.ipynb", "run_min"] == 2.0 and df.loc["01-a.ipynb", "checks_min"] == 1.5
    assert df.loc["01-a.ipynb", "cells"] == 2 and bool(df.loc["01-a.ipynb", "complete"])
    assert not bool(df.loc["02-b.ipynb", "complete"])


def test_measuring_targets_builds_each_reference_once_and_removes_it(monkeypatch):
    """The bookkeeping of `python -m lessons targets` (the live test measures for real)."""
    from lessons import build, engine, sizes

    built, removed = [], []

    class Images:
        def remove(self, tag):
            removed.append(tag)

    class Client:
        images = Images()

    monkeypatch.setattr(build, "build", lambda client, ctx, df, tag, **kw: built.append(
        (ctx.name, df.name, tag, kw["buildargs"])))
    monkeypatch.setattr(sizes, "layer_sizes", lambda client, tag: [
        sizes.LayerSize("a", 30_000_000, 0), sizes.LayerSize("b", 4_100_000, 0)])
    monkeypatch.setattr(challenge, "_floor_mb", lambda client, tag, image_set, svc: 12.34)
    monkeypatch.setattr(challenge, "_buildx_version", lambda: "buildx 0.29.1")
    monkeypatch.setattr(engine, "describe", lambda client: {
        "engine_version": "28.5.2", "storage_driver": "containerd (overlayfs)"})
    df = challenge.measure(Client(), "local", log=lambda line: None, languages=["go"])
    assert [b[:2] for b in built] == [("go-shelf", "go-shelf.dockerfile")]
    assert built[0][3]["GO_IMAGE"].startswith("sizedrop.invalid/")
    assert removed == [built[0][2]] and built[0][2].startswith("sizedrop.invalid/reference:")
    row = df.iloc[0]
    assert (row.language, row.service, row.reference_mb, row.floor_mb, row.target_mb) == (
        "go", "go-shelf", 34.1, 12.3, 41.0)   # 34.1 x 1.2 = 40.92 -> 41
    assert row.engine == "Docker 28.5.2 (containerd (overlayfs))"
    assert list(df.columns) == challenge.COLUMNS
