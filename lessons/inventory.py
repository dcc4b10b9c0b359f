"""What is inside an image, read from its filesystem.

The filesystem comes from exporting a container that is created but never started, so images
with no shell (distroless, scratch) are read the same way as any other.
"""

from __future__ import annotations

import io
import json
import posixpath
import re
import stat
import tarfile
from dataclasses import dataclass, field
from typing import BinaryIO

import pandas as pd

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


def read_filesystem(stream: BinaryIO) -> Inventory:
    """Walk an exported filesystem tar once and note what matters for the attack surface."""
    inv = Inventory()
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for m in tar:
            name = m.name.lstrip("./").rstrip("/")
            if not name:
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


def user_of(client, ref: str) -> str:
    return client.images.get(ref).attrs["Config"].get("User") or "root (default)"


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
        "user": user,
    }
