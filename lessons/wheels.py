"""Offline wheels for the Python app.

Inside a build, pip normally downloads Flask and gunicorn from PyPI. Where builds cannot
reach PyPI (an air-gapped classroom, or CI machines like ours whose containers do not trust
the proxy's TLS), the lab downloads the same pinned wheels ON THE HOST into the build
context, and passes ``PIP_NO_INDEX=1 PIP_FIND_LINKS=/wheels`` so pip installs from there.
With internet the same Dockerfile installs from PyPI with those args unset.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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


def have_wheels() -> bool:
    return any(WHEELS.glob("*.whl"))


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
