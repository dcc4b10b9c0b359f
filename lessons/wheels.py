"""Offline wheels for the Python app.

Inside a build, pip normally downloads Flask and gunicorn from PyPI. Where builds cannot
reach PyPI but the host can (CI machines like ours, whose containers do not trust the
proxy's TLS), the lab downloads the same pinned wheels ON THE HOST into the build
context, and passes ``PIP_NO_INDEX=1 PIP_FIND_LINKS=/wheels`` so pip installs from there.
With internet the same Dockerfile installs from PyPI with those args unset.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from . import platforms
from .catalog import SAMPLE_APPS
from .errors import LabError

APP = SAMPLE_APPS / "python"
WHEELS = APP / "wheels"
PYTHON_VERSION = "3.13"
IN_IMAGE = "/wheels"   # where the Dockerfiles COPY the folder

_PLATFORMS = {
    "amd64": ["manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux_2_28_x86_64"],
    "arm64": ["manylinux_2_17_aarch64", "manylinux2014_aarch64", "manylinux_2_28_aarch64"],
}


def pip_command(arch: str) -> list[str]:
    if arch not in _PLATFORMS:
        raise LabError(f"no wheel platform known for architecture {arch!r}",
                       "use amd64 or arm64, or build with internet access")
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:",
           "--python-version", PYTHON_VERSION, "--implementation", "cp",
           "--abi", "cp313", "--abi", "abi3", "--abi", "none", "-d", str(WHEELS),
           "-r", str(APP / "requirements.txt")]
    for p in _PLATFORMS[arch]:
        cmd += ["--platform", p]
    return cmd


def wheel_arch(filename: str) -> str | None:
    """The architecture a wheel is built for (``amd64``, ``arm64``), None for pure Python
    (``py3-none-any``) or one the lab does not know. Read from its platform tag, the last part
    of the name (``...-cp313-manylinux_2_17_aarch64.manylinux2014_aarch64.whl``)."""
    platform_tag = filename[:-len(".whl")].rsplit("-", 1)[-1] if filename.endswith(".whl") else ""
    for arch, machine in platforms.UNAME.items():
        if platform_tag.endswith(machine) or f"_{machine}." in platform_tag:
            return arch
    return None


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def pins(requirements: Path | None = None) -> list[tuple[str, str]]:
    """(name, version) of every ``name==version`` line of the app's requirements.txt."""
    text = Path(requirements or APP / "requirements.txt").read_text()
    return re.findall(r"^\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*==\s*([^\s;#]+)", text, re.M)


def missing(arch: str, folder: Path | None = None) -> list[str]:
    """The pinned packages that have no wheel for ``arch`` (or pure Python) in ``folder``."""
    have = set()
    for w in Path(folder or WHEELS).glob("*.whl"):
        parts = w.name.split("-")
        if len(parts) >= 5 and wheel_arch(w.name) in (None, arch):
            have.add((_norm(parts[0]), parts[1]))
    return [f"{n}=={v}" for n, v in pins() if (_norm(n), v) not in have]


def have_wheels(arch: str | None = None) -> bool:
    """Any wheel at all (``arch`` None), or every pinned one for ``arch`` and none built for
    another architecture (pip would ignore those, but the single-stage image would ship them)."""
    if arch is None:
        return any(WHEELS.glob("*.whl"))
    others = [w for w in WHEELS.glob("*.whl") if wheel_arch(w.name) not in (None, arch)]
    return not others and not missing(arch)


def store(arch: str) -> Path:
    """Where the wheels of architectures not being built wait (outside the build context)."""
    root = os.environ.get("LESSONS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "sizedrop")
    return Path(root) / "wheels" / arch


def prepare(arch: str) -> list[Path]:
    """Make the folder hold the pinned wheels for ``arch`` and no other architecture's, as on
    a machine of that architecture: wheels built for another one move to :func:`store`, this
    architecture's come back from there, and pip downloads whatever is still missing. So an
    amd64 and an arm64 build on one machine each copy exactly their own wheels."""
    WHEELS.mkdir(exist_ok=True)
    for w in WHEELS.glob("*.whl"):
        other = wheel_arch(w.name)
        if other not in (None, arch):
            store(other).mkdir(parents=True, exist_ok=True)
            shutil.move(str(w), store(other) / w.name)
    for w in store(arch).glob("*.whl") if store(arch).is_dir() else []:
        if not (WHEELS / w.name).exists():
            shutil.copy2(w, WHEELS / w.name)
    if missing(arch):
        download(arch)
    return sorted(WHEELS.glob("*.whl"))


def download(arch: str) -> list[Path]:
    """Download the pinned wheels for the engine's architecture (pip skips ones present)."""
    WHEELS.mkdir(exist_ok=True)
    proc = subprocess.run(pip_command(arch), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    if proc.returncode != 0:
        raise LabError("pip could not download the Python app's wheels on this machine",
                       "check that this machine reaches PyPI (or a mirror set in pip.conf)",
                       details="\n".join("    " + t for t in proc.stdout.splitlines()[-8:]))
    return sorted(WHEELS.glob("*.whl"))


def offline_args() -> dict[str, str]:
    return {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": IN_IMAGE}
