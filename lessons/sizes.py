"""Image sizes, measured the same way on every engine.

Definitions (used everywhere in the series):

* **uncompressed**: the sum of the sizes of the image's layer tars, as ``docker save`` writes
  them. Independent of the storage driver (overlay2 or the containerd image store).
* **compressed**: the same layer tars gzipped at level 6, which is what a registry stores and
  sends for the classic media type. We gzip them ourselves, so the figure does not depend on
  whether the engine keeps layers compressed.
* **engine size**: what the engine itself reports (``docker images``), kept beside them; it is
  a different quantity on different engines, which is why we do not lean on it.

MB are decimal (1 MB = 1,000,000 bytes), as in the Docker CLI.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from . import imagefs
from .errors import LabError

MB = 1_000_000
GZIP_LEVEL = 6
_CHUNK = 1 << 20


@dataclass
class Entry:
    """One entry of a layer tar: what the layer does to one path."""

    path: str             # without leading "./" or "/"; for a whiteout, the path it deletes
    size: int             # bytes of file content (0 for dirs, links, whiteouts)
    kind: str             # "file", "dir", "symlink", "hardlink", "whiteout", "opaque", "other"
    mode: int = 0


@dataclass
class LayerSize:
    diff_id: str          # sha256 of the uncompressed tar, as in the image config
    size: int             # uncompressed tar bytes
    gzip_size: int        # bytes after gzip level 6
    entries: list[Entry] | None = None  # filled only when asked for (with_files=True)


@dataclass
class SaveSummary:
    """What one pass over a ``docker save`` archive tells about its (first) image."""

    layers: list[LayerSize]
    config: dict = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(layer.size for layer in self.layers)

    @property
    def gzip_size(self) -> int:
        return sum(layer.gzip_size for layer in self.layers)


class _Meter:
    """Counts bytes, hashes them and measures their gzip size, in one streaming pass."""

    def __init__(self, level: int = GZIP_LEVEL):
        self.size = 0
        self.sha = hashlib.sha256()
        # wbits=31: a gzip container (header + trailer), as `gzip -6` and registries write it.
        self._z = zlib.compressobj(level, zlib.DEFLATED, 31)
        self.gzip_size = 0

    def feed(self, data: bytes) -> None:
        self.size += len(data)
        self.sha.update(data)
        self.gzip_size += len(self._z.compress(data))

    def finish(self) -> "_Meter":
        self.gzip_size += len(self._z.flush())
        return self


class _Tee(io.RawIOBase):
    """Reads the (decompressed) layer and feeds every byte to a meter on the way through."""

    def __init__(self, fileobj: BinaryIO, meter: _Meter):
        self._f = fileobj
        self._meter = meter
        head = fileobj.read(2)
        if head[:2] == b"\x28\xb5":
            raise LabError("this engine stores layers zstd-compressed, which the lab cannot "
                           "read", "use an engine with the classic or gzip layer store")
        self._gunzip = zlib.decompressobj(47) if head == b"\x1f\x8b" else None
        self._pending = self._plain(head)

    def _plain(self, data: bytes) -> bytes:
        return self._gunzip.decompress(data) if self._gunzip else data

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self._pending:
            raw = self._f.read(_CHUNK)
            if not raw:
                if self._gunzip:
                    self._pending, self._gunzip = self._gunzip.flush(), None
                    if self._pending:
                        break
                return 0
            self._pending = self._plain(raw)
        n = min(len(b), len(self._pending))
        b[:n] = self._pending[:n]
        self._meter.feed(self._pending[:n])
        self._pending = self._pending[n:]
        return n


def measure_stream(fileobj: BinaryIO, level: int = GZIP_LEVEL,
                   with_files: bool = False) -> LayerSize:
    """Size, digest and gzip size of one layer tar given as a stream (gunzipped first when the
    stream is itself gzip, as blobs from the containerd image store can be); with
    ``with_files`` also the list of what the layer does to each path."""
    meter = _Meter(level)
    tee = io.BufferedReader(_Tee(fileobj, meter), buffer_size=_CHUNK)
    entries = None
    if with_files:
        entries = []
        entries = [_entry(m) for m, _ in imagefs.members(tee)]
    while tee.read(_CHUNK):  # the rest: end-of-archive blocks and padding count too
        pass
    meter.finish()
    return LayerSize("sha256:" + meter.sha.hexdigest(), meter.size, meter.gzip_size, entries)


def _entry(m: tarfile.TarInfo) -> Entry:
    path = imagefs.clean_name(m.name)
    head, _, base = path.rpartition("/")
    if base == ".wh..wh..opq":
        return Entry(head, 0, "opaque", m.mode)
    if base.startswith(".wh."):
        return Entry((head + "/" if head else "") + base[4:], 0, "whiteout", m.mode)
    if m.isfile():
        return Entry(path, m.size, "file", m.mode)
    if m.isdir():
        return Entry(path, 0, "dir", m.mode)
    if m.issym():
        return Entry(path, 0, "symlink", m.mode)
    if m.islnk():
        return Entry(path, 0, "hardlink", m.mode)
    return Entry(path, 0, "other", m.mode)


def summarize_save(stream: BinaryIO, with_files: bool = False) -> SaveSummary:
    """Read a ``docker save`` archive once, front to back, and size the first image's layers.

    Works for the classic layout (``<id>/layer.tar`` + ``manifest.json``) and the OCI layout
    newer engines write (``blobs/sha256/...`` + ``index.json``; they also write a
    ``manifest.json`` that names the layer blobs, which is what we read).
    """
    measured: dict[str, LayerSize] = {}   # member name -> size
    small: dict[str, bytes] = {}          # JSON documents, kept to resolve names at the end
    for member, tar in imagefs.members(stream):
        if not member.isfile():
            continue
        f = tar.extractfile(member)
        if f is None:
            continue
        name = member.name
        if name.endswith("layer.tar") or name.startswith("blobs/"):
            if member.size <= 64 * 1024:
                # could be a config or manifest blob: keep it, size it if it is a tar
                data = f.read()
                small[name] = data
                if not _looks_like_json(data):
                    measured[name] = measure_stream(io.BytesIO(data), with_files=with_files)
            else:
                measured[name] = measure_stream(f, with_files=with_files)
        elif name.endswith(".json") or name == "repositories":
            small[name] = f.read()
    if "manifest.json" not in small:
        raise LabError("the docker save archive has no manifest.json",
                       "this engine's save format is not supported; please report it")
    manifest = json.loads(small["manifest.json"])[0]
    config = json.loads(small.get(manifest["Config"], b"{}"))
    layers = [measured[name] for name in manifest["Layers"]]
    diff_ids = config.get("rootfs", {}).get("diff_ids", [])
    if diff_ids and [layer.diff_id for layer in layers] != diff_ids:
        raise LabError("layer digests from docker save do not match the image config",
                       "re-run; if it persists, the archive was altered in transit")
    return SaveSummary(layers, config)


def _looks_like_json(data: bytes) -> bool:
    return data[:1] in (b"{", b"[")


# --------------------------------------------------------------------------- engine side


def cache_file() -> Path:
    root = os.environ.get("LESSONS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "sizedrop")
    return Path(root) / "layer-sizes.json"


def _load_cache() -> dict[str, LayerSize]:
    try:
        raw = json.loads(cache_file().read_text())
        return {k: LayerSize(k, v["size"], v["gzip_size"]) for k, v in raw.items()}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _save_cache(cache: dict[str, LayerSize]) -> None:
    path = cache_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({k: {"size": v.size, "gzip_size": v.gzip_size}
                                   for k, v in cache.items()}))
        tmp.replace(path)
    except OSError:
        pass  # a cache we cannot write only costs time


ChunkReader = imagefs.ChunkReader   # kept for callers that still import it from here


def layer_sizes(client, ref: str, use_cache: bool = True) -> list[LayerSize]:
    """Per-layer sizes of a local image. Layers already measured (same digest) come from a
    cache, and when every layer is known the image is not saved at all."""
    image = client.images.get(ref)
    diff_ids = image.attrs.get("RootFS", {}).get("Layers", [])
    cache = _load_cache() if use_cache else {}
    if diff_ids and all(d in cache for d in diff_ids):
        return [cache[d] for d in diff_ids]
    summary = summarize_save(imagefs.saved(client, ref))
    for layer in summary.layers:
        cache[layer.diff_id] = layer
    if use_cache:
        _save_cache(cache)
    return summary.layers


def measure(client, ref: str) -> dict:
    """The size row of one local image: both sizes defined above, the layer count, and the
    engine's own figure beside them (``docker image inspect --format '{{.Size}}'``)."""
    image = client.images.get(ref)
    layers = layer_sizes(client, ref)
    return {
        "image": ref,
        "image_id": image.id,
        "image_set": image.labels.get("sizedrop.image-set", ""),
        "uncompressed_mb": round(sum(x.size for x in layers) / MB, 2),
        "compressed_mb": round(sum(x.gzip_size for x in layers) / MB, 2),
        "engine_mb": round(image.attrs.get("Size", 0) / MB, 2),
        "layers": len(layers),
    }


COLUMNS = ["language", "variant", "uncompressed_mb", "compressed_mb", "layers",
           "drop_pct", "compressed_drop_pct", "engine_mb", "answered", "image",
           "image_set", "engine_version", "storage_driver", "architecture", "date", "source"]


def add_drops(df, baseline=None):
    """Drop against the same language's single-stage image, in percent (positive = smaller).
    ``baseline`` holds the single-stage rows when ``df`` itself does not (a table of only the
    distroless images still gets its drops); a language with no baseline gets NaN."""
    import pandas as pd

    df = df.copy()
    base_rows = df if baseline is None else pd.concat([baseline, df])
    for col, out in (("uncompressed_mb", "drop_pct"), ("compressed_mb", "compressed_drop_pct")):
        single = base_rows[base_rows["variant"] == "single-stage"] \
            .drop_duplicates("language").set_index("language")[col]
        base = df["language"].map(single)
        df[out] = ((1 - df[col] / base) * 100).round(1)
    return df


def tidy(df, baseline=None):
    """A size table in the lab's column order, with the drops."""
    df = add_drops(df, baseline)
    return df[[c for c in COLUMNS if c in df.columns]].reset_index(drop=True)
