"""The recorded run: real measurements saved by ``python -m lessons record``, replayed where
no engine answers (Binder, a laptop without Docker). Nothing here is typed in by hand.

Files live in ``lessons/recorded/``: one CSV per kind of measurement and ``provenance.json``
saying when, where and how they were taken.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .catalog import variants
from .errors import LabError

DIR = Path(__file__).resolve().parent / "recorded"


def path(name: str) -> Path:
    return DIR / name


def provenance() -> dict:
    try:
        return json.loads(path("provenance.json").read_text())
    except FileNotFoundError:
        raise LabError("there is no recorded run in lessons/recorded/",
                       "record one on a machine with an engine: python -m lessons record")


def banner() -> str:
    p = provenance()
    return (f"RECORDED run of {p['date']} (not live: no Docker engine answered here). "
            f"Image set '{p['image_set']}', Docker {p['engine_version']} "
            f"({p['storage_driver']}, {p['architecture']}), recorded by `{p['command']}`.")


def label() -> str:
    """Short tag for plot titles and table captions."""
    p = provenance()
    return f"recorded {p['date']}"


def load(name: str) -> pd.DataFrame:
    f = path(name + ".csv")
    if not f.exists():
        raise LabError(f"the recorded run has no {name} table",
                       "re-record on a machine with an engine: python -m lessons record")
    df = pd.read_csv(f)
    df["source"] = label()
    return df


def sizes(languages=None, names=None) -> pd.DataFrame:
    df = load("sizes")
    wanted = {(v.language, v.variant) for v in variants(languages, names)}
    keep = [(lang, var) in wanted for lang, var in zip(df["language"], df["variant"])]
    return df[keep].reset_index(drop=True)
