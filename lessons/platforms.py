"""The platform the lab builds and runs for: the engine's own by default, or another one.

``LESSONS_PLATFORM=linux/arm64`` (or ``--platform linux/arm64`` on ``python -m lessons images
--build-local`` and ``python -m lessons compare``) makes the whole lab target arm64: the local
lookalikes are built for it, app images are built with ``docker buildx build --platform`` and
containers are created with the platform. On an amd64 machine that runs under emulation (QEMU
registered with the kernel's binfmt_misc), which is how the lab is checked for Apple-silicon
laptops without one. Left unset, nothing changes: the engine's own architecture, the usual
names, no ``--platform`` anywhere.

Names. An image built for a platform that is not the engine's own gets the architecture at
the end of its tag (``sizedrop.invalid/go-app:scratch-arm64``,
``sizedrop.invalid/debian:trixie-slim-arm64``), so the amd64 and arm64 images of one name never
replace each other in the engine's store. A Dockerfile whose build stages run on the build
machine (``FROM --platform=$BUILDPLATFORM``) needs the engine's own lookalike there and the
target's lookalike in the other stages; when one ARG feeds both (the jlink Dockerfile's
``JDK_IMAGE``), the lab makes a multi-platform image holding the two, named with both
architectures (``sizedrop.invalid/jdk:21-trixie-amd64-arm64``), as the official images are
multi-platform under a single name.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from . import dockerfile as df
from .errors import LabError
from .labels import container_labels

ENV = "LESSONS_PLATFORM"

# Docker's architecture names, and what `uname -m` and ELF call them.
ARCHES = ("amd64", "arm64")
_ALIASES = {"amd64": "amd64", "x86_64": "amd64", "x86-64": "amd64",
            "arm64": "arm64", "aarch64": "arm64", "arm64/v8": "arm64"}
UNAME = {"amd64": "x86_64", "arm64": "aarch64"}
# An ELF header's e_machine number, by Docker's name for it.
ELF_MACHINES = {3: "386", 40: "arm", 62: "amd64", 183: "arm64", 243: "riscv64"}
# Where Debian keeps the architecture's libraries, and the dynamic loader programs ask for.
MULTIARCH = {"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}
LOADER = {"amd64": "/lib64/ld-linux-x86-64.so.2", "arm64": "/lib/ld-linux-aarch64.so.1"}
# The binfmt_misc entry Debian's qemu-user-static registers for each architecture.
QEMU_ENTRY = {"amd64": "qemu-x86_64", "arm64": "qemu-aarch64"}
BINFMT = Path("/proc/sys/fs/binfmt_misc")


def arch_of(value: str) -> str:
    """``linux/arm64``, ``arm64``, ``aarch64``... -> ``arm64``; a LabError for anything else."""
    text = (value or "").strip().lower()
    if text.startswith("linux/"):
        text = text[len("linux/"):]
    if text not in _ALIASES:
        raise LabError(f"platform {value!r} is not one the lab knows",
                       "use linux/amd64 or linux/arm64")
    return _ALIASES[text]


def docker_arch(name: str, default: str | None = None) -> str:
    """Docker's name for an architecture an engine or ``uname -m`` reports (``x86_64`` ->
    ``amd64``); one the lab does not know stays as it is (or becomes ``default``)."""
    return _ALIASES.get((name or "").lower(), name if default is None else default)


def normalize(value: str) -> str:
    """``arm64`` / ``aarch64`` / ``linux/arm64/v8`` -> ``linux/arm64``."""
    return f"linux/{arch_of(value)}"


def requested(value: str | None = None) -> str | None:
    """The platform asked for: ``value`` if given, else ``$LESSONS_PLATFORM``; None for "the
    engine's own"."""
    value = value if value else os.environ.get(ENV, "").strip()
    return normalize(value) if value else None


def suffixed(name: str, *arches: str) -> str:
    """``repo:tag`` -> ``repo:tag-arm64`` (or ``-amd64-arm64`` for two); no arches: unchanged."""
    if not arches:
        return name
    repo, sep, tag = name.rpartition(":")
    if not sep or "/" in tag:   # no tag at all: Docker's is "latest"
        repo, tag = name, "latest"
    return f"{repo}:{tag}-{'-'.join(arches)}"


def unsuffixed(name: str) -> str:
    """The name without the architecture suffixes :func:`suffixed` adds."""
    pattern = "|".join(ARCHES)
    return re.sub(rf"(?:-(?:{pattern}))+$", "", name) if ":" in name else name


# How much longer the apps' own unit tests may take for their time limits when a build runs
# under emulation (passed as --build-arg TEST_TIME_FACTOR to the Dockerfiles that declare it).
# benchmarks/arm64.md measured QEMU at 4.5-8.4x slower than native for the Python app's
# CPU-bound request in three runs on 2026-12-02; 10 leaves room for a busy machine. Natively the
# limits stay as written.
EMULATED_TEST_TIME_FACTOR = 10


@dataclass(frozen=True)
class Target:
    """What to build for (``platform``) on an engine whose own platform is ``native``."""

    platform: str        # linux/arm64
    native: str          # linux/amd64

    @property
    def arch(self) -> str:
        return arch_of(self.platform)

    @property
    def native_arch(self) -> str:
        return arch_of(self.native)

    @property
    def foreign(self) -> bool:
        """Not the engine's own platform: built and run under emulation, names suffixed."""
        return self.arch != self.native_arch

    @property
    def suffix(self) -> str:
        return f"-{self.arch}" if self.foreign else ""

    @property
    def build_platform(self) -> str | None:
        """What ``--platform`` gets: the target when foreign, nothing for the engine's own."""
        return self.platform if self.foreign else None

    def name(self, name: str) -> str:
        """The name of the target's build of ``name`` (unchanged for the engine's own)."""
        return suffixed(name, self.arch) if self.foreign else name

    def both(self, name: str) -> str:
        """The multi-platform image holding the engine's and the target's builds of ``name``."""
        return suffixed(name, self.native_arch, self.arch) if self.foreign else name

    def __str__(self) -> str:
        return self.platform + (f" (emulated on {self.native})" if self.foreign else "")


def native(arch: str) -> Target:
    return Target(normalize(arch), normalize(arch))


def engine_platform(client) -> str:
    """The engine's own platform, from ``docker info`` (``x86_64`` -> ``linux/amd64``)."""
    machine = client.info().get("Architecture") or ""
    try:
        return normalize(machine)
    except LabError:
        return f"linux/{machine}"


def resolve(client, wanted: str | None = None) -> Target:
    """The target for this engine: ``wanted`` or ``$LESSONS_PLATFORM``, else its own."""
    own = engine_platform(client)
    chosen = requested(wanted) or own
    return Target(chosen, own)


def of(client, target: Target | str | None) -> Target:
    """A Target from a Target, a platform string, or None (the engine's own)."""
    if isinstance(target, Target):
        return target
    return resolve(client, target)


# ----------------------------------------------------------------------------- Dockerfiles

BUILD, TARGET = "build", "target"


def base_roles(source: str, stage: str | None = None) -> dict[str, set[str]]:
    """For each ARG a FROM line names (``FROM ${GO_IMAGE}``), where its stage runs: ``build``
    for ``FROM --platform=$BUILDPLATFORM`` (the build machine's platform), ``target`` for a FROM
    without ``--platform`` (the platform being built for). Only the stages a build of ``stage``
    (default: the last) needs count. ``$TARGETPLATFORM`` counts as target; any other fixed
    platform is left out."""
    roles: dict[str, set[str]] = {}
    for st in df.needed_stages(source, stage):
        if st.from_stage:
            continue
        words = st.instructions[0].text.split()[1:]
        flag = next((w for w in words if w.lower().startswith("--platform=")), "")
        value = flag.split("=", 1)[1].strip("\"'") if flag else ""
        if not value or value.strip("${}") == "TARGETPLATFORM":
            role = TARGET
        elif value.strip("${}") == "BUILDPLATFORM":
            role = BUILD
        else:
            continue
        for name in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", st.base):
            roles.setdefault(name, set()).add(role)
    return roles


# ----------------------------------------------------------------------------- emulation

def binfmt_entry(arch: str, root: Path = BINFMT) -> dict | None:
    """This kernel's binfmt_misc entry for running ``arch`` programs (QEMU), or None.

    ``{"enabled": True, "interpreter": "/usr/libexec/qemu-binfmt/aarch64-binfmt-P",
    "flags": "PF"}``. The F flag (fix binary) makes the kernel open the interpreter when the
    entry is registered, so it also works inside containers, whose files do not have it.
    """
    path = root / QEMU_ENTRY[arch_of(arch)]
    try:
        text = path.read_text()
    except OSError:
        return None
    interp = re.search(r"^interpreter (\S+)", text, re.M)
    flags = re.search(r"^flags: ?(\S*)", text, re.M)
    return {"enabled": text.splitlines()[0].strip() == "enabled" if text else False,
            "interpreter": interp.group(1) if interp else "",
            "flags": flags.group(1) if flags else ""}


EMULATION_HINT = ("install QEMU's user-mode emulators and register them: as root on Debian or "
                  "Ubuntu `apt-get install qemu-user-static binfmt-support`, then (when "
                  "/proc/sys/fs/binfmt_misc is empty) `mount -t binfmt_misc binfmt_misc "
                  "/proc/sys/fs/binfmt_misc && update-binfmts --enable`; Docker Desktop "
                  "emulates by itself")


def emulation_problem(target: Target, root: Path = BINFMT) -> str:
    """Why this machine's kernel cannot run the target's programs, or "" (nothing to say:
    native, emulation registered, or an engine elsewhere whose kernel we cannot see)."""
    if not target.foreign or not root.is_dir():
        return ""
    if not any(root.iterdir()):
        return "binfmt_misc is not mounted, so the kernel knows no emulator"
    entry = binfmt_entry(target.arch, root)
    if entry is None:
        return f"no {QEMU_ENTRY[target.arch]} entry is registered in {root}"
    if not entry["enabled"]:
        return f"the {QEMU_ENTRY[target.arch]} entry in {root} is disabled"
    if "F" not in entry["flags"]:
        return (f"the {QEMU_ENTRY[target.arch]} entry lacks the F flag, so containers (which "
                "do not have the emulator in their files) cannot use it")
    return ""


def engine_runs(client, image: str, target: Target) -> str:
    """Run ``uname -m`` in ``image`` for the target platform; returns what it printed."""
    out = client.containers.run(image, ["uname", "-m"], platform=target.platform, remove=True,
                                labels=container_labels("platform-check"),
                                network_disabled=True)
    return out.decode().strip()


def cli_import(tarball: Path, name: str, platform: str, changes: list[str]) -> str:
    """``docker import --platform``: docker-py's import cannot pass a platform, the CLI can
    (Docker 23 and later set the image's architecture from it). Returns the image id."""
    argv = ["docker", "import", "--platform", platform]
    for change in changes:
        argv += ["--change", change]
    argv += [str(tarball), name]
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        raise LabError(f"docker import --platform {platform} failed",
                       "importing for another platform needs a current Docker (23 or later); "
                       "Docker 20.10 cannot", details="    " + proc.stderr.strip()[-600:])
    return proc.stdout.strip()
