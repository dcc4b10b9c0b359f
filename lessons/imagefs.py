"""Reading images: the one way the toolkit reads ``docker save`` and ``docker export`` streams.

* :func:`clean_name` turns a tar member name into the path the lab uses everywhere
  (``./usr/bin/`` -> ``usr/bin``, ``/etc`` -> ``etc``; ``./.dockerenv`` keeps its dot).
* :func:`saved` streams ``docker save IMAGE`` (the image's layers and config);
  :func:`json_documents` keeps the JSON documents of such a stream (index, manifests,
  configs, attestations) and skips the layers.
* :func:`created` / :func:`exported` create a container that is never started (so images with
  no shell are read like any other) and remove it afterwards; ``exported`` streams its
  filesystem like ``docker export`` does.
* :func:`members` is the one tar reader every other reads through; :class:`Archive` reads an
  image archive file in any order (with or without OCI ``index.json``); :func:`copied` streams
  one path of a container (``get_archive``).
* :func:`files` walks such a filesystem stream once, leaving out what the engine adds to
  every container (``.dockerenv``, ``/etc/hosts``... and the ``/dev``, ``/proc``, ``/sys``
  mount points), which belongs to no image.
"""


from __future__ import annotations

import contextlib
import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from docker.errors import DockerException

from . import labels

CHUNK = 1 << 20

# Placeholders the engine adds to every container (and so to every export), not the image's.
ENGINE_FILES = frozenset({".dockerenv", "etc/hostname", "etc/hosts", "etc/resolv.conf",
                          "etc/mtab"})
ENGINE_DIRS = ("dev", "proc", "sys")


def clean_name(name: str) -> str:
    """A tar member name as a path relative to the image's root, without a trailing slash."""
    if name.startswith("./"):
        name = name[2:]
    elif name == ".":
        name = ""
    return name.lstrip("/").rstrip("/")


def engine_made(path: str) -> bool:
    """Is ``path`` (cleaned) something the engine adds to every container?"""
    return path in ENGINE_FILES or path.split("/", 1)[0] in ENGINE_DIRS


class ChunkReader(io.RawIOBase):
    """A file-like view of an iterable of byte chunks (what the SDK's save/export return)."""

    def __init__(self, chunks: Iterable[bytes]):
        self._it = iter(chunks)
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while not self._buf:
            try:
                self._buf = next(self._it)
            except StopIteration:
                return 0
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def stream(chunks: Iterable[bytes]) -> BinaryIO:
    return io.BufferedReader(ChunkReader(chunks), buffer_size=CHUNK)


def saved(client, ref: str) -> BinaryIO:
    """``docker save ref`` as a stream (read it front to back, once)."""
    return stream(client.images.get(ref).save(named=False))


def members(fileobj: BinaryIO, mode: str = "r|") -> Iterator[tuple[tarfile.TarInfo, tarfile.TarFile]]:
    """``(member, tar)`` for every entry of a tar stream, read front to back once: a ``docker
    save`` archive, a layer tar, an exported filesystem, a ``get_archive`` answer. Read a
    member's bytes with ``tar.extractfile(member)`` before moving on. ``mode="r|*"`` also
    reads a compressed stream (a gzipped layer blob)."""
    with tarfile.open(fileobj=fileobj, mode=mode) as tar:
        for member in tar:
            yield member, tar


def json_documents(saved_stream: BinaryIO, limit: int = 16 << 20) -> dict[str, bytes]:
    """``{member name: bytes}`` of every JSON document in a ``docker save`` stream (the OCI
    index, manifests, configs and in-toto attestation statements), read in one pass; layer
    tars and documents over ``limit`` bytes are skipped."""
    docs = {}
    for member, tar in members(saved_stream):
        if not member.isfile() or member.size > limit:
            continue
        f = tar.extractfile(member)
        head = f.read(1) if f is not None else b""
        if head in (b"{", b"["):
            docs[member.name] = head + f.read()
    return docs


def blob(digest: str) -> str:
    """The member name of a blob in an OCI layout (``blobs/sha256/<hex>``)."""
    return "blobs/" + digest.replace(":", "/", 1)


class Archive:
    """An image archive file read in any order: an OCI layout tar (BuildKit's exporter, or
    ``docker save`` of a newer engine, with ``index.json``) or a classic ``docker save`` tar
    (``manifest.json`` only). ``identity`` is the image manifest's digest (OCI; below an
    index, the platform image's, not an attestation's) or the config's (classic)."""

    def __init__(self, path: Path):
        self.tar = tarfile.open(path)
        names = set(self.tar.getnames())
        if "manifest.json" in names and "index.json" not in names:
            entry = json.load(self.tar.extractfile("manifest.json"))[0]
            self.config_path = entry["Config"]
            self.layer_paths = entry["Layers"]
            self.identity = "sha256:" + hashlib.sha256(
                self.tar.extractfile(self.config_path).read()).hexdigest()
        else:
            doc = json.load(self.tar.extractfile("index.json"))
            while "manifests" in doc:   # an index: go down to the image, past attestations
                entry = next(m for m in doc["manifests"]
                             if m.get("platform", {}).get("os") != "unknown")
                self.identity = entry["digest"]
                doc = json.load(self.tar.extractfile(blob(self.identity)))
            self.config_path = blob(doc["config"]["digest"])
            self.layer_paths = [blob(layer["digest"]) for layer in doc["layers"]]
        self.config = json.load(self.tar.extractfile(self.config_path))
        self.diff_ids = self.config["rootfs"]["diff_ids"]

    def layer(self, index: int) -> Iterator[tuple[tarfile.TarInfo, tarfile.TarFile]]:
        """The entries of layer ``index`` (plain or gzipped), as ``members`` gives them."""
        return members(self.tar.extractfile(self.layer_paths[index]), mode="r|*")

    def close(self) -> None:
        self.tar.close()


@contextlib.contextmanager
def created(client, ref: str, purpose: str = "inspect") -> Iterator[object]:
    """A labelled container of ``ref`` that is created but never started; removed at the end.
    The entrypoint is never run, so any image works, shell or not."""
    container = client.containers.create(ref, entrypoint=["/nonexistent"], command=[],
                                         labels=labels.container_labels(purpose))
    try:
        yield container
    finally:
        with contextlib.suppress(DockerException):
            container.remove(force=True)


def copied(container, path: str) -> BinaryIO:
    """``path`` of a container as a tar stream (``docker cp CONTAINER:PATH -``, the API's
    get_archive)."""
    chunks, _ = container.get_archive(path)
    return stream(chunks)


@contextlib.contextmanager
def exported(client, ref: str, purpose: str = "inspect") -> Iterator[BinaryIO]:
    """The image's whole filesystem as one tar stream (``docker export`` of a created
    container)."""
    with created(client, ref, purpose) as container:
        yield stream(container.export())


def counts_as_file(member: tarfile.TarInfo) -> bool:
    """What the lab counts as a file: regular files and hard links (another name for a
    file's content); not folders, symbolic links or devices. Same rule in every table."""
    return member.isfile() or member.islnk()


def files(fs: BinaryIO) -> Iterator[tuple[str, tarfile.TarInfo, tarfile.TarFile]]:
    """``(path, member, tar)`` for every entry of an exported filesystem, in tar order,
    without the engine's placeholders. Read a member's bytes with ``tar.extractfile(member)``
    before moving on (the stream is read once)."""
    for member, tar in members(fs):
        path = clean_name(member.name)
        if not path or engine_made(path):
            continue
        yield path, member, tar


def tree_entry(member: tarfile.TarInfo) -> tuple | None:
    """One entry of an image's file tree: ``("file", size)``, ``("link", target)``,
    ``("hard", "/other")`` or ``("dir", 0)``; None for devices and the like."""
    if member.issym():
        return ("link", member.linkname)
    if member.islnk():
        return ("hard", "/" + clean_name(member.linkname))
    if member.isfile():
        return ("file", member.size)
    if member.isdir():
        return ("dir", 0)
    return None


def add_to_tree(tree: dict, member: tarfile.TarInfo) -> None:
    """Put ``member`` into ``tree`` (``"/path"`` -> :func:`tree_entry`). Its parent folders
    count as folders even when the tar has no entry of their own (a tar need not list them);
    an entry that comes later for the same path wins."""
    path = "/" + clean_name(member.name)
    entry = tree_entry(member)
    if entry is not None:
        tree[path] = entry
    parent = path.rsplit("/", 1)[0]
    while parent and parent not in tree:
        tree[parent] = ("dir", 0)
        parent = parent.rsplit("/", 1)[0]


def resolve(tree: dict, path: str, depth: int = 0) -> str | None:
    """Where ``path`` leads inside an image whose tree maps ``"/path"`` to
    :func:`tree_entry`: symbolic links in any component followed (an absolute target is read
    from the image's root, as the kernel does in a container), hard links to the file they
    name. None if it leads nowhere in the image. The lab's one link resolver: the floor counts
    what a path leads to, the inventory whether a shell's name can run."""
    if depth > 40:
        return None
    parts = [p for p in path.split("/") if p]
    current = ""
    for i, part in enumerate(parts):
        if part == "..":
            current = current.rsplit("/", 1)[0]
            continue
        if part == ".":
            continue
        current = f"{current}/{part}"
        kind = tree.get(current)
        if kind is None:
            return None
        if kind[0] == "link":
            target = kind[1]
            base = target if target.startswith("/") else current.rsplit("/", 1)[0] + "/" + target
            rest = "/".join(parts[i + 1:])
            return resolve(tree, base + ("/" + rest if rest else ""), depth + 1)
        if kind[0] == "hard":
            return resolve(tree, kind[1], depth + 1) if i == len(parts) - 1 else None
    return current or "/"
