"""The benchmark's own measurements, beyond the tables the lessons show.

Each function measures on the live engine and returns a DataFrame (or a dict) that
``benchmarks/run.py`` writes into the report. Nothing here asserts a target: the report
prints each figure beside the target it answers, and a reader judges.

* ``published``: our final images against the best published results for the same job.
* ``floors``: every image against the bytes its app needs.
* ``jlink_compress``: the jlink image built with and without ``--compress=zip-6``.
* ``scratch_extras``: what the time zone data, ``/tmp`` and the rest cost in the scratch image.
* ``rebuilds``: cold build against a warm rebuild after a source-only change, and what re-ran.
* ``reproducible``: two ``--no-cache`` builds of the same source, compared digest by digest.
* ``registry``: what a registry stores after a real ``docker push``, beside our gzip figure.
* ``lookalikes``: the local base images beside published figures of the official ones.
"""

from __future__ import annotations

import re
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from lessons import build, buildcost, catalog, classroom, floor, imagefs, lab, runtime, sizes
from lessons import imagesets as sets
from lessons import reproducible as repro
from lessons.catalog import Variant

HERE = Path(__file__).resolve().parent
LABELS = {"sizedrop.built-for": "benchmark"}
SOURCE_DATE_EPOCH = repro.SOURCE_DATE_EPOCH
MB = sizes.MB


def finals(languages=None) -> list[Variant]:
    """The variants a team would ship: everything past single-stage and multi-stage."""
    return [v for v in catalog.variants(languages)
            if v.variant not in ("single-stage", "multi-stage")]


def published_table() -> pd.DataFrame:
    return pd.read_csv(HERE / "published.csv")


# ----------------------------------------------------------------------- against published


def published(sizes_df: pd.DataFrame) -> pd.DataFrame:
    """Each language's smallest final image against the best published result for the same
    job (``kind == app`` rows of published.csv). Ratio below 1: ours is smaller."""
    pub = published_table()
    rows = []
    for r in pub[pub["kind"] == "app"].itertuples():
        ours = sizes_df[(sizes_df["language"] == r.language)
                        & ~sizes_df["variant"].isin(["single-stage", "multi-stage"])]
        if ours.empty:
            continue
        best = ours.sort_values("uncompressed_mb").iloc[0]
        rows.append({"language": r.language, "our image": best["variant"],
                     "our MB": best["uncompressed_mb"],
                     "published": r.official_image, "published MB": r.on_disk_mb,
                     "ours / published": round(best["uncompressed_mb"] / r.on_disk_mb, 3),
                     "published source": r.source})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------- floors


def floors(client, image_set: str, sizes_df: pd.DataFrame) -> pd.DataFrame:
    """Every image over its language's floor (``lessons.floor``), and over single-stage."""
    rows = []
    for lang in sizes_df["language"].unique():
        f = floor.floor_bytes(client, lang, image_set)
        single = sizes_df[(sizes_df["language"] == lang)
                          & (sizes_df["variant"] == "single-stage")]["uncompressed_mb"]
        for r in sizes_df[sizes_df["language"] == lang].itertuples():
            rows.append({
                "language": lang, "variant": r.variant, "image_mb": r.uncompressed_mb,
                "floor_mb": round(f["floor_bytes"] / MB, 2),
                "image_over_floor": round(r.uncompressed_mb * MB / f["floor_bytes"], 2),
                "of_single_stage_pct": (round(100 * r.uncompressed_mb / single.iloc[0], 1)
                                        if len(single) else None),
                "floor_is": " + ".join(f"{p} {b / MB:.2f} MB" for p, b in f["parts"].items()),
            })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------- registry


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def registry():
    """A throwaway registry on loopback (Debian's docker-registry), removed afterwards.
    Loopback registries need no TLS: every engine treats 127.0.0.0/8 as insecure."""
    addr = f"127.0.0.1:{free_port()}"
    with tempfile.TemporaryDirectory(prefix="sizedrop-bench-registry-") as root:
        proc = classroom.serve(addr, Path(root))
        try:
            yield addr
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def pushed_layers(client, registry_addr: str, tag: str) -> list[tuple[str, int]]:
    """Push ``tag`` to the registry under a benchmark name; (media type, bytes) per layer
    as the registry's manifest states them. The registry name is untagged afterwards."""
    repo_tag = re.sub(r"[^a-z0-9._/-]+", "-", tag.split("/", 1)[-1].replace(":", "/"))
    repo = f"{registry_addr}/sizedrop/bench/{repo_tag}"
    client.images.get(tag).tag(repo, "latest")
    try:
        for line in client.images.push(repo, "latest", stream=True, decode=True):
            if "error" in line:
                raise RuntimeError(f"push of {tag}: {line['error']}")
        return classroom.manifest_layers(registry_addr, f"sizedrop/bench/{repo_tag}:latest")
    finally:
        client.images.remove(f"{repo}:latest")


def registry_sizes(client, registry_addr: str, tags: dict) -> pd.DataFrame:
    """``tags``: {(language, variant): tag}. Registry bytes beside the lab's two figures."""
    rows = []
    for (lang, variant), tag in tags.items():
        ours = sizes.layer_sizes(client, tag)
        layers = pushed_layers(client, registry_addr, tag)
        stored = sum(size for _, size in layers)
        gz_ours = sum(x.gzip_size for x in ours)
        kinds = sorted({media.rsplit(".", 1)[-1] for media, _ in layers})
        rows.append({"language": lang, "variant": variant,
                     "layer tars MB": round(sum(x.size for x in ours) / MB, 2),
                     "gzip -6 MB (lab)": round(gz_ours / MB, 2),
                     "registry MB (manifest)": round(stored / MB, 2),
                     "registry / gzip -6": round(stored / gz_ours, 3),
                     "layer media types": ", ".join(kinds)})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------- jlink --compress


def jlink_compress(client, image_set: str, registry_addr: str, runs: int = 3) -> pd.DataFrame:
    """The jlink image with the Dockerfile's default (no compression of the runtime's
    modules file) and with ``JLINK_COMPRESS=zip-6``: bytes on disk, gzip, registry, start."""
    v = Variant("java", "jlink")
    rows = []
    for setting in ("", "zip-6"):
        tag = f"sizedrop.invalid/bench-java:jlink-{setting or 'none'}"
        args = dict(lab.build_args(v, image_set, client))
        if setting:
            args["JLINK_COMPRESS"] = setting
        build.build(client, v.context, v.dockerfile, tag, buildargs=args, labels=LABELS)
        m = sizes.measure(client, tag)
        with imagefs.created(client, tag, "benchmark") as container:
            chunks, _ = container.get_archive("/opt/jre")
            jre = floor.tar_file_bytes(imagefs.stream(chunks))
        layers = pushed_layers(client, registry_addr, tag)
        start = runtime.measure(client, tag, runs=runs)
        rows.append({"--compress": setting or "(none: default)",
                     "runtime /opt/jre MB": round(jre / MB, 2),
                     "image MB": m["uncompressed_mb"], "gzip -6 MB": m["compressed_mb"],
                     "registry MB": round(sum(s for _, s in layers) / MB, 2),
                     "healthy s (median)": start["healthy_s"],
                     "healthy s range": start["healthy_s_range"]})
        client.images.remove(tag)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- scratch extras


SCRATCH_GROUPS = (("time zone data (/usr/share/zoneinfo)", "usr/share/zoneinfo/"),
                  ("CA certificates (/etc/ssl)", "etc/ssl/"),
                  ("the app (/app)", "app/"))


def scratch_extras(client, image_set: str) -> pd.DataFrame:
    """Bytes per group of files in the Go scratch image, read from its exported filesystem;
    /tmp is a folder (0 bytes) but is listed with its mode, as it is part of the fix."""
    tag = Variant("go", "scratch").tag(image_set)
    totals = {name: 0 for name, _ in SCRATCH_GROUPS}
    totals["everything else (/etc/passwd, /etc/group)"] = 0
    tmp_mode = None
    with imagefs.exported(client, tag, "benchmark") as fs:
        for path, member, _ in imagefs.files(fs):
            if path == "tmp" and member.isdir():
                tmp_mode = oct(member.mode & 0o7777)
            if not imagefs.counts_as_file(member):
                continue
            for name, prefix in SCRATCH_GROUPS:
                if path.startswith(prefix):
                    totals[name] += member.size
                    break
            else:
                totals["everything else (/etc/passwd, /etc/group)"] += member.size
    whole = sum(totals.values())
    rows = [{"part": name, "MB": round(b / MB, 3), "share_pct": round(100 * b / whole, 1)}
            for name, b in totals.items()]
    rows.append({"part": f"/tmp (a folder, mode {tmp_mode})", "MB": 0.0, "share_pct": 0.0})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------- rebuilds


def rebuilds(client, image_set: str, variants: list[Variant]) -> pd.DataFrame:
    """``lessons.buildcost`` for each variant: cold (--no-cache: no layers, empty cache
    mounts) against warm after a one-line source change, and the steps that ran again."""
    return pd.DataFrame([buildcost.measure(client, v, image_set) for v in variants])


# ----------------------------------------------------------------------------- reproducible


def buildkit_version() -> str:
    """The BuildKit version of the current builder, as ``docker buildx inspect`` reports it
    (the docker driver reports the engine's embedded BuildKit)."""
    try:
        out = subprocess.run(["docker", "buildx", "inspect"], capture_output=True, text=True,
                             timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    m = re.search(r"BuildKit version:\s*(\S+)", out)
    return m.group(1) if m else "unknown"


def reproducible(client, image_set: str, variants: list[Variant]) -> pd.DataFrame:
    """Two --no-cache builds of each variant with SOURCE_DATE_EPOCH, compared
    (lessons.reproducible, the same check the lab offers learners)."""
    return repro.table(client, image_set, variants).drop(columns=["digest 1", "digest 2"])


# ------------------------------------------------------------------------------- lookalikes


def lookalikes(client) -> pd.DataFrame:
    pub = published_table()
    rows = []
    for b in sets.BASE_IMAGES:
        m = sizes.measure(client, b.local)
        p = pub[(pub["kind"] == "base") & (pub["lookalike_arg"] == b.arg)]
        p = p.iloc[0] if len(p) else None
        rows.append({
            "stands in for": b.official, "lookalike": b.local,
            "lookalike MB": m["uncompressed_mb"], "lookalike gzip -6 MB": m["compressed_mb"],
            "published image": p["official_image"] if p is not None else "",
            "published compressed MB": p["compressed_mb"] if p is not None else "",
            "published on-disk MB": p["on_disk_mb"] if p is not None else "",
            "published source": f"{p['source']} ({p['snapshot']})" if p is not None else "",
        })
    return pd.DataFrame(rows)
