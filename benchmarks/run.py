"""The Size Drop benchmark: one command, a markdown report and plots.

    python benchmarks/run.py                 # everything (about 30 min on 2 cores)
    python benchmarks/run.py --skip-notebooks --skip-cold-builds

It measures on the local engine (building what it needs) and writes benchmarks/report.md and
benchmarks/*.png. It reports; it asserts nothing, so no speed or size target can fail a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from lessons import buildcost, catalog, compare, engine, floor, lab, plots, runtime  # noqa: E402
from lessons import imagesets as S  # noqa: E402
from lessons import sizes as Z  # noqa: E402


def md_table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join("" if pd.isna(x) else str(x) for x in row) + " |")
    return "\n".join(lines)


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem, 1),
            "python": platform.python_version(), "os": platform.platform()}


def floors(client, image_set, sizes_df) -> pd.DataFrame:
    rows = []
    for lang in catalog.LANGUAGES:
        f = floor.floor_bytes(client, lang, image_set)
        for r in sizes_df[sizes_df["language"] == lang].itertuples():
            rows.append({"language": lang, "variant": r.variant,
                         "image_mb": r.uncompressed_mb,
                         "floor_mb": round(f["floor_bytes"] / Z.MB, 2),
                         "image_over_floor": round(r.uncompressed_mb * Z.MB / f["floor_bytes"], 2),
                         "floor_is": " + ".join(f["parts"])})
    return pd.DataFrame(rows)


def lookalikes(client) -> pd.DataFrame:
    prov = {}
    rows = []
    published = pd.read_csv(HERE / "published.csv")
    for b in S.BASE_IMAGES:
        m = lab.measure_image(client, b.local, prov)
        pub = published[published["lookalike_arg"] == b.arg]
        p = pub.iloc[0] if len(pub) else None
        rows.append({
            "stands in for": b.official, "lookalike": b.local,
            "lookalike compressed MB": m["compressed_mb"], "lookalike engine MB": m["engine_mb"],
            "published image": p["official_image"] if p is not None else "",
            "published compressed MB": p["compressed_mb"] if p is not None else "",
            "published on-disk MB": p["on_disk_mb"] if p is not None else "",
            "published source": f"{p['source']} ({p['snapshot']})" if p is not None else "",
        })
    return pd.DataFrame(rows)


def notebook_times() -> pd.DataFrame:
    rows = []
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for mode in ("live", "replay"):
            env = dict(os.environ)
            if mode == "replay":
                env["DOCKER_HOST"] = "unix:///nonexistent/sizedrop-benchmark.sock"
            t0 = time.monotonic()
            proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                   "-o", "addopts=", "--nbval-lax", "--nbval-current-env",
                                   str(nb)], cwd=ROOT, env=env, capture_output=True, text=True)
            rows.append({"notebook": nb.name, "mode": mode,
                         "seconds": round(time.monotonic() - t0, 1),
                         "passed": proc.returncode == 0})
    df = pd.DataFrame(rows)
    total = df.groupby("mode", as_index=False)["seconds"].sum()
    total["notebook"] = "(whole series)"
    total["passed"] = df.groupby("mode")["passed"].all().values
    return pd.concat([df, total[df.columns]], ignore_index=True)


def plot_floor(df: pd.DataFrame, subtitle: str, path: Path) -> None:
    fig, ax = plt.subplots(figsize=(plots.WIDTH_IN, 4))
    labels = [f"{r.language}\n{r.variant}" for r in df.itertuples()]
    ax.bar(range(len(df)), df["image_over_floor"],
           color=[plots.COLOURS[v] for v in df["variant"]], edgecolor="black", linewidth=0.5)
    ax.axhline(1, color="black", linewidth=0.8, linestyle="--")
    ax.set_yscale("log")
    ax.set_xticks(range(len(df)), labels, fontsize=8)
    ax.set_ylabel("image size / floor (log)")
    for i, v in enumerate(df["image_over_floor"]):
        ax.annotate(f"{v:.1f}x", (i, v), ha="center", va="bottom", fontsize=8,
                    xytext=(0, 2), textcoords="offset points")
    ax.set_title("How far each image is from the bytes its app needs\n" + subtitle, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-notebooks", action="store_true")
    ap.add_argument("--skip-cold-builds", action="store_true")
    ap.add_argument("--runs", type=int, default=3, help="runtime runs per image")
    ap.add_argument("--build-variants", nargs="+", default=["multi-stage"],
                    help="variants whose cold and warm builds are timed (default: multi-stage, "
                         "one per app; cold builds take minutes each on 2 cores)")
    args = ap.parse_args()

    started = time.monotonic()
    client = engine.connect()
    image_set = lab.ensure_ready(client)
    info = engine.describe(client)
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    m = machine()
    subtitle = (f"{image_set} image set · Docker {info['engine_version']} "
                f"({info['storage_driver']}, {info['architecture']}) · {m['cpus']} CPUs · {when}")
    print("sizes (builds what is missing)...", flush=True)
    sizes_df = compare.live(image_set=image_set, client=client)
    tags = {(r.language, r.variant): catalog.Variant(r.language, r.variant).tag(image_set)
            for r in sizes_df.itertuples()}
    print("floors...", flush=True)
    floor_df = floors(client, image_set, sizes_df)
    print("lookalikes against published figures...", flush=True)
    look_df = lookalikes(client)
    print("runtime...", flush=True)
    run_df = runtime.table(client, tags, runs=args.runs)
    build_df = None
    if not args.skip_cold_builds:
        print("cold and warm builds...", flush=True)
        build_df = buildcost.table(client, catalog.variants(names=args.build_variants),
                                   image_set)
    nb_df = None
    if not args.skip_notebooks:
        print("notebook series, live and replay...", flush=True)
        nb_df = notebook_times()

    plot_floor(floor_df, subtitle, HERE / "floor.png")
    compare_fig = plots.size_drop(sizes_df, log=True)
    compare_fig.savefig(HERE / "size-drop.png", dpi=110, bbox_inches="tight")
    plt.close(compare_fig)
    if build_df is not None:
        fig = plots.builds(build_df, subtitle)
        fig.savefig(HERE / "builds.png", dpi=110)
        plt.close(fig)

    drop = sizes_df[["language", "variant", "uncompressed_mb", "compressed_mb", "drop_pct",
                     "compressed_drop_pct"]]
    out = [
        "# Size Drop benchmark report",
        "",
        f"Written by `python benchmarks/run.py` on {when}; measured, not edited.",
        "",
        f"- machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory_gib']} GiB, {m['os']}",
        f"- engine: Docker {info['engine_version']}, API {info['api_version']}, storage "
        f"{info['storage_driver']}, {info['architecture']}, cgroup v{info['cgroup_version']}",
        f"- image set: `{image_set}`",
        "- sizes: layer tars from `docker save`; compressed = gzip -6 of them; 1 MB = 10^6 B",
        "",
        "## Headlines",
        "",
    ]
    def pick(lang, var, col):
        return sizes_df[(sizes_df.language == lang) & (sizes_df.variant == var)][col].iloc[0]
    go_ratio = pick("go", "distroless", "uncompressed_mb") / pick("go", "single-stage", "uncompressed_mb")
    py_ratio = pick("python", "distroless", "uncompressed_mb") / pick("python", "single-stage", "uncompressed_mb")
    out += [
        f"- Go distroless is {100 * go_ratio:.2f}% of Go single-stage "
        f"({pick('go', 'distroless', 'uncompressed_mb')} MB against "
        f"{pick('go', 'single-stage', 'uncompressed_mb')} MB).",
        f"- Java jlink image: {pick('java', 'jlink', 'uncompressed_mb')} MB.",
        f"- Python distroless is {100 * py_ratio:.1f}% of Python single-stage "
        f"({pick('python', 'distroless', 'uncompressed_mb')} MB against "
        f"{pick('python', 'single-stage', 'uncompressed_mb')} MB).",
    ]
    if build_df is not None:
        out.append(f"- Warm rebuild after a source-only change: "
                   f"{build_df['warm_over_cold'].median():.1%} of a cold build (median).")
    if nb_df is not None:
        tot = nb_df[nb_df.notebook == "(whole series)"].set_index("mode")["seconds"]
        out.append(f"- Whole notebook series: {tot.get('live', float('nan')) / 60:.1f} min live, "
                   f"{tot.get('replay', float('nan')) / 60:.1f} min in replay.")
    out += ["", "## Size drop per language", "", "![size drop](size-drop.png)", "",
            md_table(drop), "",
            "## Each image against its floor", "",
            "The floor is the bytes the app needs, read from its own artifacts (see "
            "`lessons/floor.py`): Go, the static binary; Java, the jlink runtime plus the jar; "
            "Python, the interpreter, its standard library, the venv and the app. C libraries "
            "and OS files are not counted, so the floor is a lower bound.", "",
            "![floor](floor.png)", "", md_table(floor_df), "",
            "## Runtime (median of %d runs)" % args.runs, "",
            "Time from `docker run` to the first 200 on /healthz, memory (cgroup usage minus "
            "page cache) idle and after a burst of %d requests, and time to stop on SIGTERM."
            % runtime.BURST_REQUESTS, "", md_table(run_df), ""]
    if build_df is not None:
        out += ["## Cold build against warm rebuild", "",
                "A cold build uses no cache; the warm one follows a one-line change in the "
                "app's main source file, in a copy of its folder.", "",
                "![builds](builds.png)", "", md_table(build_df), ""]
    if nb_df is not None:
        out += ["## The notebook series", "", "Each notebook run alone by nbval "
                "(`pytest --nbval-lax`), with images already built; replay = no engine.", "",
                md_table(nb_df), ""]
    out += ["## Local lookalikes beside published figures of the official images", "",
            "The official images cannot be pulled here; their figures are quoted from the "
            "cited public sources (tags there may be a release apart from ours, e.g. "
            "bookworm/1.25 against trixie/1.24). The lookalikes are measured here.", "",
            md_table(look_df), "",
            f"Benchmark wall time: {(time.monotonic() - started) / 60:.1f} min.", ""]
    (HERE / "report.md").write_text("\n".join(out))
    print(f"wrote {HERE / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
