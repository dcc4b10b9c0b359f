"""The workshop's minutes: one table (notebooks/schedule.csv) that notebook 00 shows and the
agendas in notebooks/README.md are made from (a test checks they agree)."""

from __future__ import annotations

import pandas as pd

from .catalog import REPO_ROOT

TABLE = REPO_ROOT / "notebooks" / "schedule.csv"
# Each notebook's live run time per engine, as a test run measured it (``python -m lessons
# times FILE --save ENGINE``), never typed.
MEASURED = REPO_ROOT / "notebooks" / "measured-times.csv"
HALF_DAY_MIN = 180
# An exercise's minutes hold at least this many runs of its check: two wrong attempts and the
# right one (issue 20: the answer comes only after two different failed attempts).
CHECK_RUNS = 3


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


def minutes_markdown() -> str:
    """The per-notebook minutes table of notebooks/README.md: planned teaching and exercise
    minutes beside the measured live run time (the slowest engine in notebooks/
    measured-times.csv) and what the checks took."""
    times = pd.read_csv(MEASURED)
    slowest = times.groupby("notebook")[["run_min", "checks_min"]].max()
    lines = ["| notebook | what learners do | teach | exercises | live run, min (measured) "
             "| of which checks, min |", "|---|---|---|---|---|---|"]
    for _, r in table().iterrows():
        key = f"{r['notebook']}.ipynb"
        if key not in slowest.index:
            continue
        m = slowest.loc[key]
        lines.append(f"| `{r['notebook']}` | {r['topic']} | {r['teach_min']} | "
                     f"{r['exercise_min']} | {m['run_min']} | {m['checks_min']} |")
    return "\n".join(lines)


def save_measured(path, engine: str, source: str) -> pd.DataFrame:
    """Put one engine's per-notebook times from a test run into notebooks/measured-times.csv
    (replacing that engine's rows), saying where they came from."""
    rows = measured(path)
    rows.insert(0, "engine", engine)
    rows["source"] = source
    if MEASURED.exists():
        old = pd.read_csv(MEASURED)
        rows = pd.concat([old[old["engine"] != engine], rows], ignore_index=True)
    rows.sort_values(["engine", "notebook"]).to_csv(MEASURED, index=False)
    return rows


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
