"""The learner's progress log: every exercise check and every reveal of a reference solution.

One JSON object per line in ``progress.jsonl`` at the top of the exercises' work root (next to
the learner's ``work/<exercise>/`` folders, so it stays with their work; instructor/README.md
documents the fields). An attempt is the state of the work folder when it was checked: a hash
of its files, so checking the same folder twice is one attempt.

The reference solution of an exercise opens (``Lab.solution``) once the learner's own check
has failed on ``ATTEMPTS_BEFORE_REVEAL`` different attempts.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from . import catalog, session

LOG_NAME = "progress.jsonl"
ATTEMPTS_BEFORE_REVEAL = 2
# Files the lab itself puts into a work folder (offline wheels, caches): not the learner's edit.
NOT_AN_EDIT = ("wheels", "__pycache__", ".ipynb_checkpoints")


def work_root() -> Path:
    """Where the learner's work folders and this log live (``$LESSONS_WORK``, else work/)."""
    return Path(os.environ.get("LESSONS_WORK") or catalog.REPO_ROOT / "work")


def log_path(root: Path) -> Path:
    return Path(root) / LOG_NAME


def attempt_hash(folder: Path) -> str:
    """A short hash of every file the learner could have edited in ``folder`` (names and
    contents), so the same folder checked twice gives the same attempt."""
    digest = hashlib.sha256()
    folder = Path(folder)
    for f in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = f.relative_to(folder)
        if rel.parts[0] in NOT_AN_EDIT or rel.suffix == ".pyc":
            continue
        digest.update(rel.as_posix().encode() + b"\0")
        with f.open("rb") as data:
            for block in iter(lambda: data.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def append(root: Path, event: str, exercise: str, **fields) -> dict:
    """Add one record (``event`` is "check" or "reveal") and return it."""
    record = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "session": session.current(), "event": event, "exercise": exercise, **fields}
    path = log_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, sort_keys=True) + "\n")
    return record


def records(root: Path, exercise: str | None = None) -> list[dict]:
    """The log's records (of one exercise), oldest first; a line that is not JSON (a file
    cut short, an edit by hand) is skipped, not fatal."""
    path = log_path(root)
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and (exercise is None or rec.get("exercise") == exercise):
            out.append(rec)
    return out


def text_hash(text: str) -> str:
    """An attempt that is one file or one engine state rather than a folder."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def failed_attempts(root: Path, exercise: str) -> list[str]:
    """The different attempts (hashes) whose live check of ``exercise`` failed, in order. A
    check that found nothing to judge (an empty cell: no attempt hash) is not an attempt."""
    seen: list[str] = []
    for rec in records(root, exercise):
        if (rec.get("event") == "check" and rec.get("source") == "live"
                and not rec.get("passed") and rec.get("attempt")
                and rec.get("attempt") not in seen):
            seen.append(rec.get("attempt"))
    return seen


def may_reveal(root: Path, exercise: str) -> bool:
    return len(failed_attempts(root, exercise)) >= ATTEMPTS_BEFORE_REVEAL


def last_check(root: Path, exercise: str) -> dict | None:
    checks = [r for r in records(root, exercise) if r.get("event") == "check"]
    return checks[-1] if checks else None

