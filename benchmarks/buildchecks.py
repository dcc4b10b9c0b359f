"""Which Dockerfile rules fire where: BuildKit's build checks (`docker build --check`) on the
engine and client this docker CLI talks to, and hadolint, over the build-checks demo and every
Dockerfile in sample_apps/ and notebooks/ (lessons.buildchecks.survey).

    LESSONS_IMAGES=local python benchmarks/buildchecks.py                 # engine A
    eval "$(bash .ci/current-engine.sh env)" && python benchmarks/buildchecks.py   # engine B

Each run replaces its engine's rows (and hadolint's) in benchmarks/buildchecks.csv, then
writes benchmarks/buildchecks.md from the whole CSV: the rule table notebook 06 shows, and
the files where hadolint and BuildKit disagree about the same mistake.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lessons import buildchecks  # noqa: E402

HERE = Path(__file__).resolve().parent
CSV = buildchecks.REPO_TABLE
MD = HERE / "buildchecks.md"


def merged(new: pd.DataFrame) -> pd.DataFrame:
    if not CSV.exists():
        return new
    old = pd.read_csv(CSV, keep_default_na=False)
    engines = set(new["engine"]) - {""}
    keep = old[(old["tool"] != buildchecks.HADOLINT) & ~old["engine"].isin(engines)]
    return pd.concat([keep, new], ignore_index=True)


def disagreements(df: pd.DataFrame) -> list[str]:
    """Files where one tool names a mistake and the other tool's rule for it stays silent."""
    lines = []
    fired = df[df["count"] > 0]
    for engine, rows in fired[fired["tool"] == buildchecks.BUILDKIT].groupby("engine"):
        for name in sorted(set(rows["file"]) | set(fired[fired["tool"] == "hadolint"]["file"])):
            kit = set(rows[rows["file"] == name]["rule"])
            lint = set(fired[(fired["file"] == name) & (fired["tool"] == "hadolint")]["rule"])
            for rule, twin in buildchecks.SAME_MISTAKE.items():
                if (rule in kit) != (twin in lint):
                    said, silent = (rule, twin) if rule in kit else (twin, rule)
                    lines.append(f"- `{name}`: {said} fires, {silent} does not ({engine})")
    return lines


def markdown(table: pd.DataFrame) -> list[str]:
    head = ["rule", *table.columns]
    rows = [[str(i), *map(str, r)] for i, r in zip(table.index, table.itertuples(index=False))]
    return ["| " + " | ".join(r) + " |" for r in [head, ["---"] * len(head), *rows]]


def write_md(df: pd.DataFrame) -> None:
    table = buildchecks.rule_table(df)
    dates = ", ".join(sorted(set(df["date"])))
    files = df["file"].nunique()
    text = [
        "# Build checks: which rules fire where",
        "",
        f"Measured {dates} by `python benchmarks/buildchecks.py` (once per engine) over {files} "
        "Dockerfiles (the build-checks demo, sample_apps/, notebooks/), local image set. "
        "Each cell: in how many files the rule fires; 'refused' means the client has no "
        "build checks. Rows: benchmarks/buildchecks.csv.",
        "",
        *markdown(table),
        "",
        "## Where hadolint and BuildKit disagree about the same mistake",
        "",
        *(disagreements(df) or ["- nowhere: every pair fires together or not at all"]),
        "",
    ]
    MD.write_text("\n".join(text))


def main() -> None:
    df = merged(buildchecks.survey())
    df.to_csv(CSV, index=False)
    write_md(df)
    print(MD.read_text())


if __name__ == "__main__":
    main()
