"""The workshop's minutes: one table (notebooks/schedule.csv) that notebook 00 shows and the
agendas in notebooks/README.md are made from (a test checks they agree)."""

from __future__ import annotations

import pandas as pd

from .catalog import REPO_ROOT

TABLE = REPO_ROOT / "notebooks" / "schedule.csv"
HALF_DAY_MIN = 180


def table() -> pd.DataFrame:
    df = pd.read_csv(TABLE, keep_default_na=False)
    df["minutes"] = df["teach_min"] + df["exercise_min"]
    return df


def agenda(kind: str = "half") -> pd.DataFrame:
    """Start times (h:mm) of each item: ``half`` (the rows marked half_day) or ``full``
    (every row, with a lunch break after 04)."""
    df = table()
    if kind == "half":
        df = df[df["half_day"] == "yes"]
    rows, t = [], 0
    for _, r in df.iterrows():
        rows.append({"start": f"{t // 60}:{t % 60:02d}", "item": r["notebook"],
                     "minutes": int(r["minutes"]), "topic": r["topic"]})
        t += int(r["minutes"])
        if kind == "full" and r["notebook"] == "04-the-size-drop":
            rows.append({"start": f"{t // 60}:{t % 60:02d}", "item": "lunch", "minutes": 45,
                         "topic": ""})
            t += 45
    rows.append({"start": f"{t // 60}:{t % 60:02d}", "item": "end", "minutes": 0, "topic": ""})
    return pd.DataFrame(rows)


def markdown(kind: str) -> str:
    """The agenda as the Markdown table notebooks/README.md carries."""
    lines = ["| start | item | minutes |", "|---|---|---|"]
    for _, r in agenda(kind).iterrows():
        lines.append(f"| {r['start']} | {r['item']} | {r['minutes'] or ''} |")
    return "\n".join(lines)


def measured(path) -> pd.DataFrame:
    """Per notebook, from a test run's cell times (LESSONS_TIMES=FILE pytest notebooks):
    live minutes to run it top to bottom, of which exercise checks, and the cells that ran.
    A run where a cell failed or was skipped says so in ``complete``."""
    cells = pd.read_csv(path)
    cells["check_s"] = cells["seconds"].where(cells["check"], 0.0)
    per = cells.groupby("notebook", sort=True).agg(
        cells=("cell", "count"), run_s=("seconds", "sum"), checks_s=("check_s", "sum"),
        complete=("outcome", lambda o: bool((o == "passed").all())))
    per["run_min"] = (per["run_s"] / 60).round(1)
    per["checks_min"] = (per["checks_s"] / 60).round(1)
    return per.reset_index()[["notebook", "cells", "run_min", "checks_min", "complete"]]
