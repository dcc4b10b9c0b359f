"""What is inside an image, read from its filesystem.

The filesystem comes from exporting a container that is created but never started, so images
with no shell (distroless, scratch) are read the same way as any other.
"""

from __future__ import annotations

import re
import stat
import struct
from dataclasses import dataclass, field
from typing import BinaryIO

import pandas as pd
from docker.errors import NotFound

from . import imagefs, platforms, run
from .errors import NeverHealthy

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
    tree: dict[str, tuple] = field(default_factory=dict)   # "/path" -> imagefs.tree_entry
    dpkg_status: str = ""
    distroless_status: list[str] = field(default_factory=list)  # var/lib/dpkg/status.d/*
    distroless_records: list[str] = field(default_factory=list)  # their text, for the SBOM
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
                if p in self.paths and self.resolves(p):
                    found.append(name)
                    break
        return found

    def resolves(self, path: str) -> bool:
        """Whether ``path`` (relative to the root) leads to something in the image, links
        followed the way the container's kernel would follow them."""
        return imagefs.resolve(self.tree, "/" + path) is not None

    @property
    def venv_bins(self) -> set[str]:
        """bin folders of Python virtual environments (they hold their own pip)."""
        return {p.rsplit("/", 1)[0] + "/bin" for p in self.paths if p.endswith("/pyvenv.cfg")}

    @property
    def os_packages(self) -> list[str]:
        names = re.findall(r"^Package: (\S+)", self.dpkg_status, re.M)
        return sorted(set(names) | set(self.distroless_status))


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
    info = {"go": version, "module": mod.group(1) if mod else "",
            "deps": re.findall(r"^dep\t(\S+)\t(\S+)", modinfo, re.M)}
    # The build settings (Go 1.18+: "build\tGOARCH=arm64"): the architecture it was built for.
    goarch = re.search(r"^build\tGOARCH=(\S+)", modinfo, re.M)
    if goarch:
        info["goarch"] = goarch.group(1)
    return info


def read_filesystem(stream: BinaryIO) -> Inventory:
    """Walk an exported filesystem tar once and note what matters for the attack surface."""
    inv = Inventory()
    # one pass over the stream; imagefs.files leaves out the engine's placeholders
    for name, m, tar in imagefs.files(stream):
        inv.paths.add(name)
        imagefs.add_to_tree(inv.tree, m)
        if m.issym():
            continue
        if not imagefs.counts_as_file(m):
            continue
        inv.files += 1
        if m.islnk():
            continue
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
            inv.distroless_records.append(data)
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
    """Inventory of an image, read from its exported filesystem."""
    with imagefs.exported(client, ref, "inventory") as fs:
        return read_filesystem(fs)


def runs_read_only(client, ref: str) -> bool:
    """Does the image serve its health endpoint with a read-only root filesystem (and the
    lab's other safe defaults)? Answered by running it."""
    try:
        with run.running(client, ref, purpose="inventory", read_only=True, timeout=60):
            return True
    except NeverHealthy:
        return False


def user_of(client, ref: str) -> str:
    return client.images.get(ref).attrs["Config"].get("User") or "root (default)"


def image_summary(client, ref: str) -> dict:
    """The attack-surface row of a local image: what it holds (``summary``), whether it
    serves with a read-only root, and the Go versions its Go binaries were built with."""
    inv = of_image(client, ref)
    return {**summary(inv, user_of(client, ref)),
            "read-only root ok": runs_read_only(client, ref),
            "go versions": " ".join(sorted({b["go"] for b in inv.go_binaries}))}


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


# ----------------------------------------------------------------------------- folders

MAX_DEPTH = 3   # folders are summarised down to /usr/lib/x (deeper files count in their parent)


def folders_from_tar(stream) -> pd.DataFrame:
    """Files and bytes under every folder, down to MAX_DEPTH, from a filesystem tar (the
    engine's placeholders left out, as in the inventory)."""
    files: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for name, m, _ in imagefs.files(stream):
        if not imagefs.counts_as_file(m):
            continue
        parts = name.split("/")[:-1]
        for depth in range(0, min(len(parts), MAX_DEPTH) + 1):
            folder = "/" + "/".join(parts[:depth])
            files[folder] = files.get(folder, 0) + 1
            sizes[folder] = sizes.get(folder, 0) + m.size
    rows = [{"folder": f, "depth": 0 if f == "/" else f.count("/"), "files": files[f],
             "mb": round(sizes[f] / 1e6, 3)} for f in sorted(files)]
    return pd.DataFrame(rows, columns=["folder", "depth", "files", "mb"])


def folders_live(client, tag: str) -> pd.DataFrame:
    """The folder table of a local image, from its exported filesystem."""
    with imagefs.exported(client, tag, "explorer") as fs:
        return folders_from_tar(fs)


# ----------------------------------------------------------------------------- ELF binaries

def elf_info(data: bytes) -> dict | None:
    """What an ELF executable says about itself (what `file` and `readelf` print): its
    machine, the dynamic loader it asks the kernel for (none when static), and its section
    names (``.symtab``, ``.debug_info``... show whether it was stripped). None if not ELF."""
    if data[:4] != b"\x7fELF" or len(data) < 64:
        return None
    is64 = data[4] == 2
    end = "<" if data[5] == 1 else ">"
    machine = struct.unpack_from(end + "H", data, 18)[0]
    if is64:
        phoff, shoff = struct.unpack_from(end + "QQ", data, 32)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(end + "HHHHH", data, 54)
    else:
        phoff, shoff = struct.unpack_from(end + "II", data, 28)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(end + "HHHHH", data, 42)
    interp = ""
    for i in range(phnum):
        at = phoff + i * phentsize
        if at + phentsize > len(data):
            break
        ptype = struct.unpack_from(end + "I", data, at)[0]
        if ptype == 3:  # PT_INTERP
            off, size = (struct.unpack_from(end + "Q", data, at + 8)[0],
                         struct.unpack_from(end + "Q", data, at + 32)[0]) if is64 else \
                (struct.unpack_from(end + "I", data, at + 4)[0],
                 struct.unpack_from(end + "I", data, at + 16)[0])
            interp = data[off:off + size].rstrip(b"\0").decode(errors="replace")
    sections = []
    if shoff and shnum and shstrndx < shnum:
        def header(i):
            at = shoff + i * shentsize
            if is64:
                name, _, _, _, off, size = struct.unpack_from(end + "IIQQQQ", data, at)
            else:
                name, _, _, _, off, size = struct.unpack_from(end + "IIIIII", data, at)
            return name, off, size
        _, str_off, str_size = header(shstrndx)
        names = data[str_off:str_off + str_size]
        for i in range(shnum):
            name = header(i)[0]
            sections.append(names[name:names.index(b"\0", name)].decode(errors="replace"))
    return {"machine": platforms.ELF_MACHINES.get(machine, str(machine)), "interpreter": interp,
            "static": not interp, "sections": sections,
            "stripped": ".symtab" not in sections and not any(
                s.startswith((".debug_", ".zdebug_")) for s in sections)}


def file_bytes(client, ref: str, path: str) -> bytes | None:
    """The bytes of one file of an image (read from a created, never started container)."""
    with imagefs.created(client, ref, "inventory") as container:
        try:
            copy = imagefs.copied(container, path)
        except NotFound:
            return None
        for member, tar in imagefs.members(copy):
            if member.isfile():
                return tar.extractfile(member).read()
    return None
