"""The Size Drop benchmark: one command, a markdown report and plots.

    python benchmarks/run.py                  # everything (about an hour on 2 cores)
    python benchmarks/run.py --quick --out /tmp/bench    # Go only, one run: a smoke test
    python benchmarks/run.py --parts sizes floors published   # some parts only

It measures on the current engine (building what it needs) and writes report.md and its
plots to --out (default: this folder). It reports and asserts nothing, so no speed or size
target can fail a test; each figure stands beside the target it answers.
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

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from benchmarks import measure  # noqa: E402
from lessons import catalog, compare, engine, lab, plots, runtime  # noqa: E402
from lessons.catalog import Variant  # noqa: E402

PARTS = ("sizes", "floors", "published", "jlink", "scratch", "rebuilds", "reproducible",
         "registry", "runtime", "lookalikes", "notebooks")
# What a workshop needs (issue 12): targets printed beside the measured figures.
TARGETS = {
    "python_over_floor": 1.25, "python_of_single_pct": 8.0, "java_jlink_over_floor": 1.25,
    "warm_over_cold": {"go": 0.10, "python": 0.10, "java": 0.50},
}


def md_table(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(md_cell(x) for x in row) + " |")
    return "\n".join(lines)


def md_cell(x) -> str:
    """One table cell: empty for a missing value, a count as a count (pandas turns a column of
    counts with one gap into floats: 447.0), and | escaped."""
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return ""
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return str(x).replace("|", "\\|")


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


def plot_floor(df: pd.DataFrame, subtitle: str, path: Path) -> str:
    plt = plots._pyplot()
    fig, ax = plt.subplots(figsize=(plots.WIDTH_IN, 4))
    labels = [f"{r.language}\n{r.variant}" for r in df.itertuples()]
    ax.bar(range(len(df)), df["image_over_floor"],
           color=[plots.COLOURS.get(v, "#999999") for v in df["variant"]],
           edgecolor="black", linewidth=0.5)
    ax.axhline(1, color="black", linewidth=0.8, linestyle="--")
    ax.set_yscale("log")
    ax.set_xticks(range(len(df)), labels, fontsize=8)
    ax.set_ylabel("image size / floor (log)")
    for i, v in enumerate(df["image_over_floor"]):
        ax.annotate(f"{v:.2f}x", (i, v), ha="center", va="bottom", fontsize=8,
                    xytext=(0, 2), textcoords="offset points")
    ax.set_title("How far each image is from the bytes its app needs\n" + subtitle, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    best = df.loc[df.groupby("language")["image_over_floor"].idxmin()]
    return ("Bar chart, log scale: each image's size over its app's floor (1 = the floor). "
            "Closest per language: " + "; ".join(
                f"{r.language} {r.variant} {r.image_over_floor}x" for r in best.itertuples()))


def _pick(df, lang, variant, col):
    rows = df[(df["language"] == lang) & (df["variant"] == variant)]
    return rows[col].iloc[0] if len(rows) else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE, help="folder for report.md and plots")
    ap.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    ap.add_argument("--skip", nargs="+", choices=PARTS, default=[])
    ap.add_argument("--quick", action="store_true",
                    help="a smoke test: Go only, one run, the scratch image alone for "
                         "rebuilds, reproducibility and registry; no notebooks, jlink, lookalikes")
    ap.add_argument("--runs", type=int, default=3, help="runtime runs per image")
    args = ap.parse_args(argv)
    parts = [p for p in args.parts if p not in args.skip]
    languages = ["go"] if args.quick else list(catalog.LANGUAGES)
    runs = 1 if args.quick else args.runs
    if args.quick:
        parts = [p for p in parts if p not in ("notebooks", "jlink", "lookalikes")]
    out_dir = args.out
    out_dir.mkdir(parents=True, exist_ok=True)

    started = time.monotonic()
    client = engine.connect()
    image_set = lab.ensure_ready(client)
    lab.apply_build_env(lab.build_env(client, image_set))
    info = engine.describe(client)
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    m = machine()
    bk = measure.buildkit_version()
    subtitle = (f"{image_set} image set · Docker {info['engine_version']} "
                f"({info['storage_driver']}, {info['architecture']}) · {m['cpus']} CPUs · {when}")
    timings: dict[str, float] = {}
    failed: dict[str, str] = {}

    def timed(name, fn):
        """Run one part; a part that fails is reported as failed (with its error) and the
        parts measured so far still reach the report."""
        print(f"== {name}", flush=True)
        t0 = time.monotonic()
        try:
            result = fn()
        except Exception as exc:  # noqa: BLE001 - the report names the part and the error
            if name == "sizes":
                raise
            failed[name] = f"{type(exc).__name__}: {exc}"
            print(f"   {name} FAILED: {failed[name]}", flush=True)
            return None
        timings[name] = round(time.monotonic() - t0, 1)
        return result

    sizes_df = timed("sizes", lambda: compare.live(languages, image_set=image_set,
                                                   client=client))
    tags = {(r.language, r.variant): Variant(r.language, r.variant).tag(image_set)
            for r in sizes_df.itertuples()}
    finals = measure.finals(languages)
    res: dict[str, pd.DataFrame] = {}
    if "floors" in parts:
        res["floors"] = timed("floors", lambda: measure.floors(client, image_set, sizes_df))
    if "published" in parts:
        res["published"] = measure.published(sizes_df)
    if "scratch" in parts:
        res["scratch"] = timed("scratch", lambda: measure.scratch_extras(client, image_set))
    if "runtime" in parts:
        res["runtime"] = timed("runtime", lambda: runtime.table(client, tags, runs=runs))
    if args.quick:   # one final image is enough to show every part works
        finals = [Variant("go", "scratch")]
    if "rebuilds" in parts:
        todo = finals if args.quick else [Variant(lang, "multi-stage") for lang in languages] + finals
        res["rebuilds"] = timed("rebuilds", lambda: measure.rebuilds(client, image_set, todo))
    if "reproducible" in parts:
        res["reproducible"] = timed("reproducible",
                                    lambda: measure.reproducible(client, image_set, finals))
    if "registry" in parts or "jlink" in parts:
        with measure.registry() as reg:
            if "registry" in parts:
                pushed = ({k: v for k, v in tags.items() if k == ("go", "scratch")}
                          if args.quick else tags)
                res["registry"] = timed("registry",
                                        lambda: measure.registry_sizes(client, reg, pushed))
            if "jlink" in parts:
                res["jlink"] = timed("jlink", lambda: measure.jlink_compress(
                    client, image_set, reg, runs=runs))
    if "lookalikes" in parts and image_set == "local":
        res["lookalikes"] = timed("lookalikes", lambda: measure.lookalikes(client))
    if "notebooks" in parts:
        res["notebooks"] = timed("notebooks", notebook_times)

    res = {k: v for k, v in res.items() if v is not None}
    report = write_report(out_dir, sizes_df, res, image_set, info, m, bk, when, subtitle,
                          runs, args.quick)
    report.append(f"Benchmark wall time: {(time.monotonic() - started) / 60:.1f} min "
                  f"({', '.join(f'{k} {v / 60:.1f}' for k, v in timings.items())}).")
    report.append("")
    for name, why in failed.items():
        report.append(f"**Part `{name}` failed in this run and is missing above:** {why}. "
                      f"Rerun it alone with `python benchmarks/run.py --parts {name}`.")
        report.append("")
    (out_dir / "report.md").write_text("\n".join(report))
    print(f"wrote {out_dir / 'report.md'}")
    return 1 if failed else 0


def write_report(out_dir, sizes_df, res, image_set, info, m, bk, when, subtitle, runs,
                 quick) -> list[str]:
    out = [
        "# Size Drop benchmark report",
        "",
        f"Written by `python benchmarks/run.py{' --quick' if quick else ''}` on {when}; "
        "measured, not edited.",
        "",
        f"- machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory_gib']} GiB, {m['os']}",
        f"- engine: Docker {info['engine_version']}, API {info['api_version']}, storage "
        f"{info['storage_driver']}, {info['architecture']}, cgroup v{info['cgroup_version']}; "
        f"builder: BuildKit {bk} through `docker buildx`",
        f"- image set: `{image_set}`"
        + (" (local lookalikes of the official base images, built from Debian 13 packages; "
           "see the last section)" if image_set == "local" else ""),
        "- sizes: layer tars from `docker save` (what the engine stores unpacked, without its "
        "own bookkeeping); gzip -6 = the same tars compressed by the lab; registry = the bytes "
        "a registry's manifest lists after a real `docker push`; 1 MB = 10^6 B",
        "",
    ]
    out += headlines(sizes_df, res)

    drop = sizes_df[["language", "variant", "uncompressed_mb", "compressed_mb", "drop_pct",
                     "compressed_drop_pct", "layers"]]
    fig = plots.size_drop(sizes_df, log=True)
    fig.savefig(out_dir / "size-drop.png", dpi=110, bbox_inches="tight")
    plots._pyplot().close(fig)
    out += ["## Size drop per language", "",
            "![Bar chart, log scale, of image size per variant for each language: each step "
            "(single-stage, multi-stage, distroless, then scratch, jlink or traced) is smaller "
            "than the one before](size-drop.png)", "", md_table(drop), ""]

    if "floors" in res:
        alt = plot_floor(res["floors"], subtitle, out_dir / "floor.png")
        out += ["## Each image against its floor", "",
                "The floor is the bytes the running app loads, measured by tracing it "
                "(`lessons/floor.py`): each language's final image (Go scratch, Java jlink, "
                "Python traced) runs, answers ordinary, error and malformed requests and a "
                "burst, runs its HEALTHCHECK and stops on SIGTERM. Counted once each, at their "
                "size in the image: every file mapped into one of its processes "
                "(`/proc/<pid>/maps`, read by a busybox sidecar in the app's PID namespace), "
                "files held open without being mapped (Java's jar), and for Python the file "
                "each imported code object came from. Not counted: small files C code reads "
                "and closes, CA bundles, licences, links and tar headers. So the floor is a "
                "lower bound.", "", f"![{alt}](floor.png)", "", md_table(res["floors"]), ""]
    if "published" in res and len(res["published"]):
        out += ["## Against the best published results", "",
                "Our smallest final image per language against the best published result "
                "for the same job. Below 1: ours is smaller. The published figures are "
                "quoted, not measured here.", "", md_table(res["published"]), ""]
    if "jlink" in res:
        out += ["## jlink: `--compress` both ways", "",
                "The runtime's `lib/modules` compressed by jlink (`zip-6`) or not (the "
                "Dockerfile's default). A registry compresses layers anyway, so what matters "
                "for a pull is the registry column; what matters on disk is the image column.",
                "", md_table(res["jlink"]), ""]
    if "scratch" in res:
        out += ["## What the scratch image carries besides the binary", "",
                "Files of the Go scratch image by group, from its exported filesystem: the "
                "time zone data, certificates, users and a world-writable `/tmp` that "
                "distroless/static also has.", "", md_table(res["scratch"]), ""]
    if "rebuilds" in res:
        df = res["rebuilds"]
        fig = plots.builds(df, subtitle)
        fig.savefig(out_dir / "builds.png", dpi=110)
        plots._pyplot().close(fig)
        shown = df[["language", "variant", "cold_s", "warm_s", "warm_over_cold", "steps",
                    "cached_steps", "rebuilt_steps"]].copy()
        shown["target"] = [f"<= {TARGETS['warm_over_cold'][lang]}" for lang in shown["language"]]
        out += ["## Cold build against warm rebuild", "",
                "Cold: `--no-cache` (no layer from the cache, every cache mount empty), base "
                "images present. Warm: the same build after a one-line change in the app's main "
                "source file (in a copy of its folder), a line no earlier build has seen (BuildKit "
                "keys its cache by content). `rebuilt_steps` are the RUN/COPY steps that ran "
                "again. Every Dockerfile runs the app's unit tests in a stage the final image "
                "copies from (no image without passing tests), so a source change re-runs "
                "them: a warm rebuild cannot be shorter than compiling and running the tests. "
                "Where the cold build is short (Java has no dependencies; Python installs "
                "local wheels here instead of downloading them), that time is most of it.", "",
                "![Paired bars of cold build and warm rebuild seconds per image; the warm "
                "bar is the short one](builds.png)", "", md_table(shown), ""]
    if "reproducible" in res:
        out += ["## Reproducible builds", "",
                "Each final image built twice with `--no-cache` and `--build-arg "
                f"SOURCE_DATE_EPOCH={measure.SOURCE_DATE_EPOCH}` (BuildKit 0.11+ then dates the "
                "image config and history with it), into an OCI archive with "
                "`--output type=oci,dest=...,rewrite-timestamp=true` (BuildKit 0.13+ also clamps "
                "the time of every file the build writes). The engine's own image store refuses "
                "rewrite-timestamp (\"conflicts with unpack\" on Docker 26.1 and 28.5.2), and "
                "Docker's "
                "classic store has no OCI exporter at all: there the builds go through "
                "`--load` and `docker save`, without rewriting (column `how`). Same digest = "
                "byte-identical image. Where the builds differ: the first differing layer, the "
                "instruction that made it, and the "
                "files that differ (and in what).", "", md_table(res["reproducible"]), ""]
    if "registry" in res:
        out += ["## Compressed as a registry stores it", "",
                "Each image pushed to a registry on loopback (Debian's `docker-registry`), and "
                "the layer sizes read back from its manifest. The engine compresses with Go's "
                "gzip at its default level; the lab's figure is Python's zlib at level 6. An "
                "engine with the containerd image store pushes a layer as its store holds it "
                "(a layer that came in with `docker load` goes up uncompressed, `tar` in the "
                "media types column).", "", md_table(res["registry"]), ""]
    if "runtime" in res:
        out += [f"## Runtime (median of {runs} runs)", "",
                "Time from `docker run` to the first 200 on /healthz, memory (cgroup usage minus "
                "page cache) idle and after a burst of %d requests, and time to stop on SIGTERM."
                % runtime.BURST_REQUESTS, "", md_table(res["runtime"]), ""]
    if "notebooks" in res:
        out += ["## The notebook series", "", "Each notebook run alone by nbval "
                "(`pytest --nbval-lax`), with images already built; replay = no engine.", "",
                md_table(res["notebooks"]), ""]
    if "lookalikes" in res:
        out += ["## Local lookalikes", "",
                "The official images cannot be pulled here; the lookalikes are measured here, "
                "the official figures are quoted from the cited sources (tags there may be a "
                "release apart from ours).", "", md_table(res["lookalikes"]), "",
                "What still differs from the official images, and what it does to sizes, is "
                "listed in [lookalikes.md](lookalikes.md).", ""]
    return out


def headlines(sizes_df, res) -> list[str]:
    out = ["## Headlines", ""]
    for lang in sizes_df["language"].unique():
        rows = sizes_df[sizes_df["language"] == lang]
        single = _pick(sizes_df, lang, "single-stage", "uncompressed_mb")
        best = rows.sort_values("uncompressed_mb").iloc[0]
        line = (f"- {lang}: smallest is {best['variant']}, {best['uncompressed_mb']} MB "
                f"({best['compressed_mb']} MB gzip)")
        if single:
            line += f", {100 * best['uncompressed_mb'] / single:.1f}% of single-stage ({single} MB)"
        if "floors" in res:
            f = res["floors"]
            ratio = _pick(f, lang, best["variant"], "image_over_floor")
            line += f", {ratio}x its floor"
        if "published" in res and len(res["published"]):
            p = res["published"][res["published"]["language"] == lang]
            if len(p):
                line += (f", {p['ours / published'].iloc[0]}x the best published result "
                         f"({p['published MB'].iloc[0]} MB)")
        out.append(line + ".")
    if "floors" in res:
        f = res["floors"]
        py = f[f["language"] == "python"]
        if len(py):
            b = py.sort_values("image_over_floor").iloc[0]
            out.append(f"- Python target (issue 12): <= {TARGETS['python_over_floor']}x floor and "
                       f"<= {TARGETS['python_of_single_pct']}% of single-stage; measured "
                       f"{b['variant']}: {b['image_over_floor']}x, {b['of_single_stage_pct']}%.")
        jl = _pick(f, "java", "jlink", "image_over_floor")
        if jl is not None:
            out.append(f"- Java target: jlink <= {TARGETS['java_jlink_over_floor']}x floor; "
                       f"measured {jl}x.")
    if "rebuilds" in res:
        df = res["rebuilds"]
        parts = [f"{r.language} {r.variant} {r.warm_over_cold}" for r in df.itertuples()]
        out.append("- Warm rebuild / cold build (targets: Go and Python <= 0.10, Java <= 0.5): "
                   + ", ".join(parts) + ".")
    if "reproducible" in res:
        df = res["reproducible"]
        same = df[df["same digest"]]
        out.append(f"- Reproducible (same digest on two --no-cache builds): "
                   f"{len(same)} of {len(df)}"
                   + (f" ({', '.join(f'{r.language} {r.variant}' for r in same.itertuples())})"
                      if len(same) else "") + ".")
    if "registry" in res:
        r = res["registry"]["registry / gzip -6"]
        out.append(f"- Registry bytes over the lab's gzip -6: {r.min()}-{r.max()}.")
    if "notebooks" in res:
        tot = res["notebooks"]
        tot = tot[tot.notebook == "(whole series)"].set_index("mode")["seconds"]
        out.append(f"- Whole notebook series: {tot.get('live', float('nan')) / 60:.1f} min live, "
                   f"{tot.get('replay', float('nan')) / 60:.1f} min in replay.")
    return out + [""]


if __name__ == "__main__":
    sys.exit(main())
