"""One lab session: a kernel, a CLI run or a test run, and the things it made on the engine.

Several sessions share one engine (two notebooks open at once, a notebook beside the test
suite, a classroom). Each process gets its own short random id the first time it needs one
(``Lab.start``, ``python -m lessons``, the test suite's start), and everything the session
makes carries it:

* containers, networks and volumes the toolkit makes: the label ``sizedrop.session=<id>``
  (lessons.labels) beside the lab's own labels;
* names a learner types in a notebook cell: the id at the end (``sizedrop-go-$SIZEDROP_SESSION``,
  ``sizedrop.invalid/work:01-dockerignore-$SIZEDROP_SESSION``): ``Lab.start`` exports the id
  as ``SIZEDROP_SESSION`` in the kernel's environment, and a container or image with the lab's
  label and a name ending in ``-<id>`` belongs to that session;
* temporary files: under ``$SIZEDROP_TMP`` (``<temp dir>/sizedrop-session-<id>``).

Images are matched by name only, never by label: labels are inherited by every image built
FROM a labelled one, names are not. The shared variant images (``sizedrop.invalid/go-app:
single-stage``...) belong to no session: they are deterministic build products every session
reuses (rebuilding them per session would cost minutes and disk for the same bytes), so only
``python -m lessons clean`` removes them.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

ENV = "SIZEDROP_SESSION"
TMP_ENV = "SIZEDROP_TMP"
TMP_PREFIX = "sizedrop-session-"

_current: str | None = None


def current() -> str:
    """This process's session id (made the first time it is asked for)."""
    global _current
    if _current is None:
        _current = secrets.token_hex(4)
    return _current


def tmp_path(session_id: str) -> Path:
    """Where a session's temporary folder is (whether or not it exists)."""
    return Path(tempfile.gettempdir()) / f"{TMP_PREFIX}{session_id}"


def tmp() -> Path:
    """This session's temporary folder, made when first needed."""
    folder = tmp_path(current())
    folder.mkdir(exist_ok=True)
    return folder


def begin() -> str:
    """Start (or continue) this process's session: export its id and temporary folder to the
    environment, so cells and the commands they run use the same names."""
    os.environ[ENV] = current()
    os.environ[TMP_ENV] = str(tmp())
    return current()


def named(name: str, session_id: str | None = None) -> str:
    """``name`` made this session's: ``app`` -> ``app-1a2b3c4d``."""
    return f"{name}-{session_id or current()}"


def owns_name(name: str, session_id: str) -> bool:
    """Does a container name or image tag end in this session's id?"""
    return name.lstrip("/").endswith("-" + session_id)
