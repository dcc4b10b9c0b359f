"""What is inside an image, read from its filesystem.

The filesystem comes from exporting a container that is created but never started, so images
with no shell (distroless, scratch) are read the same way as any other.
"""

from __future__ import annotations

import io
import posixpath
import re
import stat
import tarfile
from dataclasses import dataclass, field
from typing import BinaryIO


from . import labels as L
from .sizes import ChunkReader

SHELLS = ("sh", "bash", "dash", "ash", "zsh", "busybox")
PACKAGE_MANAGERS = ("apt", "apt-get", "dpkg", "apk", "yum", "dnf", "microdnf", "rpm", "pip",
                    "pip3")
COMPILERS = ("gcc", "cc", "g++", "go", "javac", "make", "ld")
_BIN_DIRS = ("bin", "sbin", "usr/bin", "usr/sbin", "usr/local/bin", "usr/local/sbin",
             "usr/local/go/bin", "usr/lib/go/bin")


@dataclass
class Inventory:
    files: int = 0
    bytes: int = 0
    executables: int = 0
    setuid: list[str] = field(default_factory=list)
    setgid: list[str] = field(default_factory=list)
    paths: set[str] = field(default_factory=set)
    symlinks: dict[str, str] = field(default_factory=dict)
    dpkg_status: str = ""
    distroless_status: list[str] = field(default_factory=list)  # var/lib/dpkg/status.d/*
    os_release: str = ""
    python_dists: list[str] = field(default_factory=list)
    java_release: str = ""
    go_binaries: list[dict] = field(default_factory=list)  # path, go version, main module

    @property
    def java_modules(self) -> list[str]:
        """Modules of the Java runtime, from its ``release`` file (empty if no Java)."""
        m = re.search(r'^MODULES="([^"]*)"', self.java_release, re.M)
        return m.group(1).split() if m else []

    def present(self, names, dirs=_BIN_DIRS) -> list[str]:
        """Which of ``names`` exist as files or links in the usual bin folders, or in a
        virtual environment's bin (a link whose target is missing does not count: it
        cannot run)."""
        found = []
        dirs = tuple(dirs) + tuple(sorted(self.venv_bins))
        for name in names:
            for d in dirs:
                p = f"{d}/{name}"
                if p in self.paths and self._resolves(p):
                    found.append(name)
                    break
        return found

    def _resolves(self, path: str, depth: int = 0) -> bool:
        if depth > 20:
            return False
        if path in self.symlinks:
            target = self.symlinks[path]
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(posixpath.dirname(path), target))
            return self._resolves(self._canonical(target), depth + 1)
        return path in self.paths

    def _canonical(self, path: str) -> str:
        # merged-/usr: bin -> usr/bin and friends
        parts = path.split("/")
        for i in range(1, len(parts)):
            head = "/".join(parts[:i])
            if head in self.symlinks:
                t = self.symlinks[head]
                t = t.lstrip("/") if t.startswith("/") else posixpath.normpath(
                    posixpath.join(posixpath.dirname(head), t))
                return self._canonical("/".join([t] + parts[i:]))
        return path

    @property
    def venv_bins(self) -> set[str]:
        """bin folders of Python virtual environments (they hold their own pip)."""
        return {p.rsplit("/", 1)[0] + "/bin" for p in self.paths if p.endswith("/pyvenv.cfg")}

    @property
    def os_packages(self) -> list[str]:
        names = re.findall(r"^Package: (\S+)", self.dpkg_status, re.M)
        return sorted(set(names) | set(self.distroless_status))


# Placeholders the engine adds to every container (and so to every export), not the image's.
_ENGINE_FILES = {".dockerenv", "etc/hostname", "etc/hosts", "etc/resolv.conf", "etc/mtab"}


def _engine_made(name: str) -> bool:
    return name in _ENGINE_FILES or name.split("/", 1)[0] in ("dev", "proc", "sys")


GO_SCAN_LIMIT = 64_000_000   # executables larger than this are not scanned for Go build info
_GO_MAGIC = b"\xff Go buildinf:"


def _uvarint(data: bytes, i: int) -> tuple[int, int]:
    value = shift = 0
    while i < len(data):
        b = data[i]
        value |= (b & 0x7F) << shift
        i += 1
        if not b & 0x80:
            break
        shift += 7
    return value, i


def go_build_info(data: bytes) -> dict | None:
    """The Go version and main module a Go binary records about itself (what
    `go version -m` prints), for binaries built by Go 1.18 and later."""
    at = data.find(_GO_MAGIC)
    if at < 0 or len(data) < at + 32:
        return None
    flags = data[at + 15]
    if not flags & 0x2:   # older pointer-based layout: report that it is Go, no details
        return {"go": "go (pre-1.18 layout)", "module": ""}
    n, i = _uvarint(data, at + 32)
    version = data[i:i + n].decode(errors="replace")
    n, j = _uvarint(data, i + n)
    modinfo = data[j:j + n].decode(errors="replace")
    mod = re.search(r"^mod\t(\S+)", modinfo, re.M) or re.search(r"^path\t(\S+)", modinfo, re.M)
    return {"go": version, "module": mod.group(1) if mod else ""}


def read_filesystem(stream: BinaryIO) -> Inventory:
    """Walk an exported filesystem tar once and note what matters for the attack surface."""
    inv = Inventory()
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for m in tar:
            name = m.name.lstrip("./").rstrip("/")
            if not name or _engine_made(name):
                continue
            inv.paths.add(name)
            if m.issym():
                inv.symlinks[name] = m.linkname
                continue
            if m.islnk():
                inv.files += 1
                continue
            if not m.isfile():
                continue
            inv.files += 1
            inv.bytes += m.size
            if m.mode & 0o111:
                inv.executables += 1
                if m.size <= GO_SCAN_LIMIT:
                    info = go_build_info(tar.extractfile(m).read())
                    if info:
                        inv.go_binaries.append({"path": "/" + name, **info})
            if m.mode & stat.S_ISUID:
                inv.setuid.append("/" + name)
            if m.mode & stat.S_ISGID:
                inv.setgid.append("/" + name)
            if name == "var/lib/dpkg/status":
                inv.dpkg_status = tar.extractfile(m).read().decode(errors="replace")
            elif name.startswith("var/lib/dpkg/status.d/"):
                data = tar.extractfile(m).read().decode(errors="replace")
                inv.distroless_status += re.findall(r"^Package: (\S+)", data, re.M)
            elif name in ("etc/os-release", "usr/lib/os-release"):
                inv.os_release = inv.os_release or tar.extractfile(m).read().decode(
                    errors="replace")
            elif re.fullmatch(r"(usr/lib/jvm/[^/]+|opt/java/openjdk|opt/jre)/release", name):
                inv.java_release = tar.extractfile(m).read().decode(errors="replace")
            elif re.search(r"(site|dist)-packages/[^/]+\.dist-info/METADATA$", name):
                meta = tar.extractfile(m).read().decode(errors="replace")
                n = re.search(r"^Name: (.+)$", meta, re.M)
                v = re.search(r"^Version: (.+)$", meta, re.M)
                if n and v:
                    inv.python_dists.append(f"{n.group(1).strip()}=={v.group(1).strip()}")
    return inv


def of_image(client, ref: str) -> Inventory:
    """Inventory of an image: create (never start) a labelled container, export, remove."""
    container = client.containers.create(ref, labels=L.container_labels("inventory"),
                                         entrypoint=["/nonexistent"], command=[])
    try:
        reader = io.BufferedReader(ChunkReader(container.export()), buffer_size=1 << 20)
        return read_filesystem(reader)
    finally:
        container.remove(force=True)


def runs_read_only(client, ref: str) -> bool:
    """Does the image serve its health endpoint with a read-only root filesystem (and the
    lab's other safe defaults)? Answered by running it."""
    from . import run as R
    from .errors import NeverHealthy

    try:
        with R.running(client, ref, purpose="inventory", read_only=True, timeout=60):
            return True
    except NeverHealthy:
        return False


def user_of(client, ref: str) -> str:
    return client.images.get(ref).attrs["Config"].get("User") or "root (default)"


def image_summary(client, ref: str) -> dict:
    """The attack-surface row of a local image."""
    return summary(of_image(client, ref), user_of(client, ref))


def summary(inv: Inventory, user: str = "") -> dict:
    """One row of the attack-surface table."""
    return {
        "files": inv.files,
        "executables": inv.executables,
        "setuid/setgid": len(set(inv.setuid) | set(inv.setgid)),
        "shells": ", ".join(inv.present(SHELLS)) or "none",
        "package managers": ", ".join(inv.present(PACKAGE_MANAGERS)) or "none",
        "compilers": ", ".join(inv.present(COMPILERS)) or "none",
        "os packages": len(inv.os_packages),
        "python dists": len(inv.python_dists),
        "java modules": len(inv.java_modules),
        "go binaries": len(inv.go_binaries),
        "user": user,
    }
