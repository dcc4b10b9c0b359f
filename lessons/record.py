"""``python -m lessons record``: a full live run, saved for replay mode.

Everything the notebooks show when no engine answers comes from here, measured, never typed.
Writes ``lessons/recorded/*.csv`` and ``provenance.json`` (date, image set, engine, storage
driver, architecture, the command, and how long each part took).
"""

from __future__ import annotations

import json
import sys
import time

import pandas as pd

from . import buildcost, compare, engine, inventory, lab, layers, recorded, runtime
from .catalog import variants


def main(argv: list[str] | None = None) -> None:
    client = engine.connect()
    image_set = lab.ensure_ready(client)
    out = recorded.DIR
    out.mkdir(exist_ok=True)
    todo = variants()
    timings = {}

    def part(name, fn):
        print(f"== {name}", flush=True)
        t0 = time.monotonic()
        df = fn()
        timings[name] = round(time.monotonic() - t0, 1)
        df.to_csv(out / f"{name}.csv", index=False)
        print(df.to_string(index=False), flush=True)

    part("sizes", lambda: compare.live(image_set=image_set, client=client))
    tags = {(v.language, v.variant): v.tag(image_set) for v in todo}

    def surface():
        rows = []
        for (lang, var), tag in tags.items():
            inv = inventory.of_image(client, tag)
            row = {"language": lang, "variant": var}
            row.update(inventory.summary(inv, inventory.user_of(client, tag)))
            row["read-only root ok"] = inventory.runs_read_only(client, tag)
            row["go versions"] = " ".join(sorted({b["go"] for b in inv.go_binaries}))
            rows.append(row)
        return pd.DataFrame(rows)

    part("inventory", surface)

    def layer_tables():
        frames = []
        for (lang, var), tag in tags.items():
            t = layers.summary_table(client, tag)
            t.insert(0, "variant", var)
            t.insert(0, "language", lang)
            frames.append(t)
        return pd.concat(frames, ignore_index=True)

    part("layers", layer_tables)
    part("runtime", lambda: runtime.table(client, tags, runs=3))
    # Cold builds are the slow part (minutes each on 2 cores): record the multi-stage build
    # of each app, the variant whose layer order the series teaches.
    part("buildcost", lambda: buildcost.table(
        client, [v for v in todo if v.variant == "multi-stage"], image_set))
    from . import probes
    if hasattr(probes, "record_extras"):
        print("== probes and answers", flush=True)
        t0 = time.monotonic()
        probes.record_extras(client, image_set, out)
        timings["probes"] = round(time.monotonic() - t0, 1)

    prov = lab.provenance(client, image_set)
    prov.pop("source", None)
    prov.update({"command": "python -m lessons record", "seconds_per_part": timings,
                 "note": "Measured by a live run of the lab toolkit; not edited by hand."})
    (out / "provenance.json").write_text(json.dumps(prov, indent=2) + "\n")
    print(f"wrote {out}", file=sys.stderr)
