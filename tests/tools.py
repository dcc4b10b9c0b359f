"""The command-line tools the tests run (hadolint, dive, actionlint), found one way everywhere."""

from __future__ import annotations

import shutil
import sysconfig


def executable(name: str) -> str | None:
    """The `name` executable that pip installed with this Python (its bin/ or Scripts/ folder,
    found even when that folder is not on PATH), else the one on PATH; None if neither has it."""
    return shutil.which(name, path=sysconfig.get_path("scripts")) or shutil.which(name)
