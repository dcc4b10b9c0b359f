"""Notes in an SQLite database, stamped in UTC and shown in any named zone."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class BadInput(ValueError):
    """A request the service refuses (answered with a 400)."""


def parse_instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise BadInput("at must be an ISO 8601 time such as 2026-12-07T12:00:00Z") from None
    if instant.tzinfo is None:
        raise BadInput("at must say its offset, for example Z or +01:00")
    return instant.astimezone(timezone.utc)


def zone(name: str) -> ZoneInfo:
    if not name:
        raise BadInput("missing query parameter zone")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise BadInput(f"cannot load zone {name}: {err}") from None


def local_text(instant: datetime, where: ZoneInfo) -> str:
    return instant.astimezone(where).isoformat()


class Store:
    """One connection shared by the server's threads, behind a lock."""

    def __init__(self, folder: str | os.PathLike):
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path / "notes.db", check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, "
                             "text TEXT NOT NULL, at TEXT NOT NULL)")

    def add(self, text: str, at: str, zone_name: str) -> dict:
        if not text:
            raise BadInput("missing query parameter text")
        instant = parse_instant(at)
        where = zone(zone_name)
        with self._lock, self._db:
            cur = self._db.execute("INSERT INTO notes (text, at) VALUES (?, ?)",
                                   (text, instant.isoformat()))
        return {"id": cur.lastrowid, "text": text, "local": local_text(instant, where)}

    def all(self, zone_name: str) -> list[dict]:
        where = zone(zone_name or "UTC")
        with self._lock:
            rows = self._db.execute("SELECT id, text, at FROM notes ORDER BY at DESC, id DESC")
            rows = rows.fetchall()
        return [{"id": i, "text": t, "local": local_text(datetime.fromisoformat(a), where)}
                for i, t, a in rows]

    def stats(self) -> dict:
        with self._lock:
            (count,) = self._db.execute("SELECT count(*) FROM notes").fetchone()
        return {"notes": count, "sqlite": sqlite3.sqlite_version}

    def close(self) -> None:
        with self._lock:
            self._db.close()
