"""Modern Dockerfile syntax on this engine (lessons.modern): which features its built-in
frontend takes, and, where it takes them, COPY --link rebuilds on a new base and heredoc vs
&& chain layers.

    LESSONS_IMAGES=local python benchmarks/modern_syntax.py                 # engine A
    eval "$(bash .ci/current-engine.sh env)" && python benchmarks/modern_syntax.py   # engine B

Each run replaces its engine's rows in benchmarks/modern-syntax.csv (feature support) and,
where the engine takes COPY --link, in benchmarks/copy-link.csv and heredoc-layers.csv.
Notebook 06 shows these tables in replay.
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lessons import buildchecks, modern, session  # noqa: E402

HERE = Path(__file__).resolve().parent


def save(df: pd.DataFrame, name: str, engine: str) -> None:
    path = HERE / name
    if path.exists():
        old = pd.read_csv(path, keep_default_na=False)
        df = pd.concat([old[old["engine"] != engine], df], ignore_index=True)
    df.to_csv(path, index=False)
    print(f"{path.name}:\n{df.to_string(index=False)}\n")


def main() -> None:
    session.begin()
    image_set = os.environ.get("LESSONS_IMAGES", "local")
    v = buildchecks.versions()
    where = {"engine": v["engine"], "client": v["buildx"],
             "date": datetime.date.today().isoformat()}
    accepts = modern.accepts(image_set).assign(**where)
    save(accepts, "modern-syntax.csv", v["engine"])
    if accepts.set_index("feature")["accepted"].get("COPY --link"):
        save(modern.link_rebuilds(image_set, rounds=5).assign(**where), "copy-link.csv",
             v["engine"])
        save(modern.layers_alike(image_set).assign(**where), "heredoc-layers.csv", v["engine"])


if __name__ == "__main__":
    main()
