"""The transfer services: small apps the series never slims on screen (notebooks/transfer/).

Each needs something slim images drop (zone data, a company CA in the trust store, a C library,
a media-type table, a writable folder on a read-only root, a clean stop on SIGTERM, JVM modules
loaded by name).
The cases below are what the behaviour check (lessons.behaviour) asks each image. They live here,
not in the learner's tree, and a learner sees one only when their image gets it wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .catalog import REPO_ROOT
from .errors import LabError

TRANSFER_DIR = REPO_ROOT / "notebooks" / "transfer"

ANY = object()   # in Case.expect: the key must be there, any value will do


@dataclass(frozen=True)
class Case:
    about: str       # what the request exercises, in the learner's words
    path: str
    status: int
    expect: dict     # keys of the JSON answer and their values (ANY: present)

    def problem(self, status: int, body: bytes) -> str | None:
        """None when the answer fits, else what was wrong with it, in one line."""
        import json

        shown = body.decode(errors="replace").strip()[:160]
        if status != self.status:
            return f"answered {status} {shown}"
        try:
            got = json.loads(body)
        except ValueError:
            return f"answered {status} with something that is not JSON: {shown}"
        for key, want in self.expect.items():
            if key not in got or (want is not ANY and got[key] != want):
                return f"answered {status} {shown}"
        return None


@dataclass(frozen=True)
class Service:
    name: str            # folder name under notebooks/transfer/
    language: str
    writable: str        # the folder it writes at run time (a tmpfs on a read-only root)
    cases: tuple[Case, ...]

    @property
    def folder(self) -> Path:
        return TRANSFER_DIR / self.name

    @property
    def fat_dockerfile(self) -> Path:
        return self.folder / "single-stage.dockerfile"


SERVICES = {s.name: s for s in (
    Service("go-clock", "go", "/tmp", (
        Case("a time shown in a named zone, on a daylight-saving day",
             "/convert?at=2026-10-25T00:30:00Z&zone=Europe/Zurich", 200,
             {"local": "2026-10-25T02:30:00+02:00", "abbreviation": "CEST"}),
        Case("a time shown in a zone with a half-hour offset",
             "/convert?at=2026-12-07T12:00:00Z&zone=America/St_Johns", 200,
             {"local": "2026-12-07T08:30:00-03:30"}),
        Case("the company certificate chain checked against the system's trust store",
             "/verify", 200,
             {"chain": "verified", "root": "Size Drop Example Corp Root CA"}),
    )),
    Service("go-shelf", "go", "/var/lib/shelf", (
        Case("a file type the service looks up in the machine's media-type table",
             "/put?name=minutes.odt&text=agreed", 200,
             {"type": "application/vnd.oasis.opendocument.text", "adler32": "08740269"}),
        # (.flac or .mp3 would not do: Go's own table knows them; checked on Go 1.27)
        Case("another type only that table knows, and a checksum from the service's C part",
             "/put?name=guide.epub&text=ding", 200,
             {"type": "application/epub+zip", "bytes": 4, "adler32": "041201a3"}),
        Case("the shelf read back from its folder", "/list", 200, {"items": [
            {"name": "guide.epub", "type": "application/epub+zip", "bytes": 4,
             "adler32": "041201a3"},
            {"name": "minutes.odt", "type": "application/vnd.oasis.opendocument.text",
             "bytes": 6, "adler32": "08740269"}]}),
        Case("the C library the native part runs on", "/about", 200, {"libc": ANY}),
    )),
    Service("python-notes", "python", "/var/lib/notes", (
        Case("a note stored in SQLite and stamped in a named zone",
             "/notes/add?text=parcel&at=2026-12-07T12:00:00Z&zone=Asia/Kathmandu", 200,
             {"id": 1, "local": "2026-12-07T17:45:00+05:45"}),
        Case("the stored notes read back in another zone",
             "/notes?zone=Pacific/Chatham", 200,
             {"notes": [{"id": 1, "text": "parcel", "local": "2026-12-08T01:45:00+13:45"}]}),
        Case("the database's statistics", "/notes/stats", 200, {"notes": 1, "sqlite": ANY}),
    )),
    Service("java-labels", "java", "/tmp", (
        Case("label text encoded for the EBCDIC printer", "/printer?text=Zone%2042", 200,
             {"charset": "IBM037", "hex": "e996958540f4f2"}),
        Case("a price written the Swiss German way",
             "/price?amount=98765.4&currency=EUR&locale=de-CH", 200,
             {"text": "EUR\u00a098\u2019765.40"}),
        Case("a price written the Japanese way",
             "/price?amount=5000&currency=JPY&locale=ja-JP", 200, {"text": "\uffe55,000"}),
    )),
)}


def get(name: str) -> Service:
    try:
        return SERVICES[name]
    except KeyError:
        raise LabError(f"no transfer service called {name!r}",
                       f"choose one of {', '.join(sorted(SERVICES))}") from None
