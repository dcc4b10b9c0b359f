"""Where the notebooks' figures come from: a live engine, or the recorded run.

Both sources answer the same questions with the same tables:

    sizes, layers, attack_surface, probe, answers, runtime, build_cost, folders

``LiveSource`` measures on the engine now; ``RecordedSource`` reads ``lessons/recorded/``,
which ``python -m lessons record`` wrote from a live run. Every table carries a ``source``
column ("live" or "recorded YYYY-MM-DD"), and ``caption()`` says where the figures come from.
Helpers receive a source; they never look one up.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from . import catalog, engine, imagesets
from . import platforms
from .cells import need_table
from .errors import EXPECTED, LabError, explain

RECORDED = Path(__file__).resolve().parent / "recorded"


def select(df: pd.DataFrame, languages=None, variants=None) -> pd.DataFrame:
    """Rows of ``df`` for the chosen languages and variants (the one filter of the toolkit)."""
    need_table(df, "select")
    wanted = {(v.language, v.variant) for v in catalog.variants(languages, variants)}
    keep = [(a, b) in wanted for a, b in zip(df["language"], df["variant"])]
    return df[keep].reset_index(drop=True)


class Source:
    """What both sources share."""

    live = False
    image_set = ""

    def provenance(self) -> dict:
        raise NotImplementedError

    def label(self) -> str:
        """The ``source`` value of every row: "live" or "recorded YYYY-MM-DD"."""
        raise NotImplementedError

    def caption(self) -> str:
        """'local image set · Docker 26.1.5 (containerd, amd64) · live 2026-12-02'."""
        p = self.provenance()
        when = f"live {p['date']}" if self.live else f"{self.label()} (replayed, not live)"
        return (f"{p['image_set']} image set · Docker {p['engine_version']} "
                f"({p['storage_driver']}, {p['architecture']}) · {when}")


# ----------------------------------------------------------------------------- recorded


class RecordedSource(Source):
    """The recorded run in ``directory`` (default: lessons/recorded)."""

    def __init__(self, directory: Path = RECORDED):
        self.directory = Path(directory)
        self.image_set = self.provenance()["image_set"]

    def provenance(self) -> dict:
        try:
            return json.loads((self.directory / "provenance.json").read_text())
        except FileNotFoundError:
            raise LabError(f"there is no recorded run in {self.directory}",
                           "record one on a machine with an engine: python -m lessons record")

    def label(self) -> str:
        return f"recorded {self.provenance()['date']}"

    def banner(self) -> str:
        p = self.provenance()
        return (f"RECORDED run of {p['date']} (not live: no Docker engine answered here). "
                f"Image set '{p['image_set']}', Docker {p['engine_version']} "
                f"({p['storage_driver']}, {p['architecture']}), recorded by `{p['command']}`.")

    def table(self, name: str) -> pd.DataFrame:
        f = self.directory / f"{name}.csv"
        if not f.exists():
            raise LabError(f"the recorded run has no {name} table",
                           "re-record on a machine with an engine: python -m lessons record")
        df = pd.read_csv(f, keep_default_na=False, na_values=[""])
        df["source"] = self.label()
        return df

    def sizes(self, languages=None, variants=None) -> pd.DataFrame:
        return select(self.table("sizes"), languages, variants)

    def layers(self, language: str, variant: str) -> pd.DataFrame:
        df = select(self.table("layers"), language, variant)
        if df.empty:
            raise LabError(f"the recorded run has no layers of {language}/{variant}",
                           "re-record on a machine with an engine: python -m lessons record")
        return df.drop(columns=["language", "variant"])

    def attack_surface(self, languages=None, variants=None) -> pd.DataFrame:
        return select(self.table("inventory"), languages, variants)

    def probe(self, name: str, language: str, variant: str) -> str:
        df = self.table("probes")
        hit = df[(df["probe"] == name) & (df["language"] == language)
                 & (df["variant"] == variant)]
        if not len(hit):
            raise LabError(f"the recorded run has no {name} probe of {language}/{variant}",
                           "that experiment needs a Docker engine")
        return str(hit.iloc[0]["result"])

    def answers(self, language: str, variant: str, paths) -> pd.DataFrame:
        df = select(self.table("answers"), language, variant)
        df = df[df["path"].isin(list(paths))]
        if not len(df):
            from .probes import ASKED
            raise LabError(f"no recorded answer for {language}/{variant} {list(paths)}",
                           f"recorded paths: {', '.join(ASKED)}")
        return df.drop(columns=["language", "variant"]).reset_index(drop=True)

    def runtime(self, languages=None, variants=None, runs: int = 1) -> pd.DataFrame:
        return select(self.table("runtime"), languages, variants)

    def build_cost(self, language: str, variant: str, dockerfile=None) -> pd.DataFrame:
        df = select(self.table("buildcost"), language, variant)
        name = Path(dockerfile).name if dockerfile else f"{variant}.dockerfile"
        if "dockerfile" in df:
            df = df[df["dockerfile"] == name].reset_index(drop=True)
        if not len(df):
            raise LabError(f"the recorded run has no build cost of {language}/{variant}",
                           "recorded: " + ", ".join(
                               f"{a}/{b}" for a, b in zip(self.table("buildcost")["language"],
                                                         self.table("buildcost")["variant"])))
        return df

    def folders(self, language: str, variant: str) -> pd.DataFrame:
        df = select(self.table("files"), language, variant)
        return df.drop(columns=["language", "variant", "source"])

    def checks(self, exercise: str) -> pd.DataFrame:
        """The recorded checks of an exercise (the reference solution and a typical mistake)."""
        df = self.table("exercises")
        return df[df["exercise"] == exercise].reset_index(drop=True)


# ----------------------------------------------------------------------------- live


class LiveSource(Source):
    """Measures on a live engine. Measurements of one image are kept per image id: they
    cannot change while the id stays the same, and a rebuilt image gets a new id."""

    live = True

    def __init__(self, client, image_set: str, target: platforms.Target | None = None):
        self.client = client
        self.image_set = image_set
        # The platform the images are for: ``$LESSONS_PLATFORM`` when set (lessons.platforms),
        # else None, the engine's own (and the engine is not even asked).
        self.target = target if target is not None else \
            (platforms.resolve(client) if platforms.requested() else None)
        self._memo: dict = {}
        self._prov: dict | None = None

    def provenance(self) -> dict:
        if self._prov is None:
            info = engine.describe(self.client)
            self._prov = {"image_set": self.image_set, "engine_version": info["engine_version"],
                          "storage_driver": info["storage_driver"],
                          "architecture": self.target.arch if self.target is not None
                          else info["architecture"], "date": engine.today(),
                          "source": "live"}
        return dict(self._prov)

    def label(self) -> str:
        return "live"

    def tag(self, language: str, variant: str) -> str:
        return catalog.Variant(language, variant).tag(self.image_set, self.target)

    def _image_id(self, tag: str) -> str:
        try:
            return engine.retried(self.client.images.get, tag).id
        except EXPECTED as err:
            raise explain(err, f"looking up {tag}") from None

    def _remember(self, kind: str, tag: str, compute):
        key = (kind, self._image_id(tag))
        if key not in self._memo:
            try:
                self._memo[key] = compute()
            except LabError:
                raise
            except EXPECTED as err:  # one line and a next step
                raise explain(err, f"measuring {tag}") from None
        value = self._memo[key]
        return value.copy() if hasattr(value, "copy") else value

    def measure(self, language: str, variant: str) -> dict:
        """One size row (see lessons.sizes): uncompressed, compressed, layers, engine size."""
        from . import sizes

        tag = self.tag(language, variant)
        row = self._remember("size", tag, lambda: sizes.measure(self.client, tag))
        return {"language": language, "variant": variant, **row, **self.provenance()}

    def sizes(self, languages=None, variants=None) -> pd.DataFrame:
        from . import compare

        rows = [self.measure(v.language, v.variant)
                for v in catalog.variants(languages, variants)]
        return compare.tidy(pd.DataFrame(rows))

    def layers(self, language: str, variant: str) -> pd.DataFrame:
        from . import layers

        tag = self.tag(language, variant)
        return self._remember("layers", tag, lambda: layers.summary_table(self.client, tag))

    def attack_surface(self, languages=None, variants=None) -> pd.DataFrame:
        from . import inventory

        rows = []
        for v in catalog.variants(languages, variants):
            tag = self.tag(v.language, v.variant)
            row = self._remember("surface", tag,
                                 lambda t=tag: inventory.image_summary(self.client, t))
            rows.append({"language": v.language, "variant": v.variant, **row,
                         "source": "live"})
        return pd.DataFrame(rows)

    def probe(self, name: str, language: str, variant: str) -> str:
        from . import probes

        tag = self.tag(language, variant)
        try:
            return probes.PROBES[name](self.client, tag)
        except LabError:
            raise
        except EXPECTED as err:
            raise explain(err, f"running the {name} probe on {tag}") from None

    def answers(self, language: str, variant: str, paths) -> pd.DataFrame:
        from . import probes

        rows = probes.answers(self.client, self.tag(language, variant), paths)
        out = pd.DataFrame(rows)
        out["source"] = "live"
        return out

    def runtime(self, languages=None, variants=None, runs: int = 1) -> pd.DataFrame:
        from . import runtime

        tags = {(v.language, v.variant): self.tag(v.language, v.variant)
                for v in catalog.variants(languages, variants)}
        df = runtime.table(self.client, tags, runs=runs)
        df["source"] = "live"
        return df

    def build_cost(self, language: str, variant: str, dockerfile=None,
                   on_line=None) -> pd.DataFrame:
        from . import buildcost

        row = buildcost.measure(self.client, catalog.Variant(language, variant),
                                self.image_set, on_line=on_line, dockerfile=dockerfile)
        out = pd.DataFrame([row])
        out["source"] = "live"
        return out

    def folders(self, language: str, variant: str) -> pd.DataFrame:
        from . import inventory

        tag = self.tag(language, variant)
        return self._remember("folders", tag,
                              lambda: inventory.folders_live(self.client, tag))


def live_or_recorded(image_set: str | None = None) -> tuple[Source, str]:
    """A LiveSource when an engine answers, else the RecordedSource; plus why, in one line."""
    try:
        client = engine.connect()
    except LabError as err:
        return RecordedSource(), err.message
    return LiveSource(client, imagesets.choose(client, image_set)), ""
