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

import hashlib
import json
import re
import shutil
import socket
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
from docker.errors import DockerException

from lessons import build, buildcost, catalog, classroom, floor, imagefs, lab, runtime, sizes
from lessons import imagesets as sets
from lessons.catalog import Variant
from lessons.labels import managed

HERE = Path(__file__).resolve().parent
LABELS = {"sizedrop.built-for": "benchmark"}
# The timestamp the Java Dockerfiles give jar entries by default (2026-01-01 00:00 UTC); the
# reproducibility builds pass the same value to BuildKit as SOURCE_DATE_EPOCH.
SOURCE_DATE_EPOCH = "1767225600"
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


def _reproducible_argv(v: Variant, image_set: str, client, tag: str) -> list[str]:
    args = dict(lab.build_args(v, image_set, client))
    args["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    argv = build.build_argv(v.dockerfile, v.context, tag, buildargs=args,
                            labels=managed(**LABELS), nocache=True, cwd=catalog.REPO_ROOT)
    # --load is "--output type=docker"; spelled out, it takes rewrite-timestamp=true: BuildKit
    # 0.13+ then clamps every file's mtime in the new layers to SOURCE_DATE_EPOCH.
    at = argv.index("--load")
    argv[at:at + 1] = ["--output", "type=docker,rewrite-timestamp=true"]
    return argv


def _saved_layer(client, tag: str, index: int, workdir: Path) -> tuple[dict, str]:
    """The ``index``-th layer of ``tag``, from ``docker save``: {path: (type, mode, size,
    mtime, sha256)} of its entries, and the instruction that made it (the image config's
    history, whose entries without ``empty_layer`` are the layers, in order)."""
    saved = workdir / "image.tar"
    with saved.open("wb") as out:
        shutil.copyfileobj(imagefs.saved(client, tag), out)
    try:
        with tarfile.open(saved) as outer:
            manifest = json.load(outer.extractfile("manifest.json"))[0]
            config = json.load(outer.extractfile(manifest["Config"]))
            made = [h.get("created_by", "") for h in config.get("history", [])
                    if not h.get("empty_layer")]
            files = {}
            layer = outer.extractfile(manifest["Layers"][index])
            with tarfile.open(fileobj=layer, mode="r:*") as inner:
                for m in inner:
                    digest = ""
                    if m.isfile():
                        digest = hashlib.sha256(inner.extractfile(m).read()).hexdigest()[:12]
                    files[imagefs.clean_name(m.name)] = (m.type, m.mode, m.size, m.mtime,
                                                         digest)
    finally:
        saved.unlink()
    return files, (made[index] if index < len(made) else "")


def _what_differs(a: tuple, b: tuple) -> str:
    names = ("type", "mode", "size", "mtime", "content")
    return "+".join(n for n, x, y in zip(names, a, b) if x != y)


def reproducible(client, image_set: str, variants: list[Variant]) -> pd.DataFrame:
    """Build each variant twice without cache, with SOURCE_DATE_EPOCH and rewrite-timestamp;
    compare image IDs (the config digest), and for a difference name the first layer that
    differs, the instruction that made it and a few of the files that differ, and how."""
    rows = []
    for v in variants:
        tags = [f"sizedrop.invalid/bench-repro-{v.language}:{v.variant}-{n}" for n in (1, 2)]
        for tag in tags:
            build.run_build(client, _reproducible_argv(v, image_set, client, tag),
                            v.dockerfile, tag, cwd=catalog.REPO_ROOT)
        one, two = (client.images.get(t) for t in tags)
        la, lb = one.attrs["RootFS"]["Layers"], two.attrs["RootFS"]["Layers"]
        row = {"language": v.language, "variant": v.variant,
               "same image ID": one.id == two.id, "same layers": la == lb,
               "layers": len(la), "first differing layer": "", "made by": "",
               "files that differ": ""}
        if la != lb:
            index = next(i for i, (x, y) in enumerate(zip(la, lb)) if x != y)
            with tempfile.TemporaryDirectory(prefix="sizedrop-repro-") as tmp:
                fa, made_by = _saved_layer(client, tags[0], index, Path(tmp))
                fb, _ = _saved_layer(client, tags[1], index, Path(tmp))
            differ = sorted(p for p in fa.keys() | fb.keys() if fa.get(p) != fb.get(p))
            shown = [f"{p} ({_what_differs(fa[p], fb[p]) if p in fa and p in fb else 'in one only'})"
                     for p in differ[:4]]
            row.update({"first differing layer": f"{index + 1} of {len(la)}",
                        "made by": made_by.replace("|", "/")[:100],
                        "files that differ": f"{len(differ)}: " + "; ".join(shown)})
        rows.append(row)
        for tag in tags:
            try:
                client.images.remove(tag)
            except DockerException:
                pass
    return pd.DataFrame(rows)


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
