"""Where the notebooks' figures come from: a live engine, or the recorded run.

Both sources answer the same questions with the same tables:

    sizes, layers, attack_surface, probe, answers, runtime, build_cost, folders

``LiveSource`` measures on the engine now; ``RecordedSource`` reads ``lessons/recorded/``,
which ``python -m lessons record`` wrote from a live run. Every table carries a ``source``
column ("live" or "recorded YYYY-MM-DD"), and ``caption()`` says where the figures come from.
Helpers receive a source; they never look one up. Everything that differs between a live
lesson and its replay is here (the notebooks' ``Lab`` never asks which mode it is in):
what is measured or read, which docker commands are worth showing, progress bars, what a
cell that needs an engine says in replay, and what ``cleanup`` removes.
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import os
import shutil
from pathlib import Path

import pandas as pd

from . import (bake, build, buildcost, catalog, cleanup, display, engine, inventory, labels,
               layers, platforms, plots, probes, run, runtime, sbom, session, sizes,
               transcripts)
from . import lab as verbs
from .cells import need_table
from .errors import EXPECTED, LabError, explain
from .tables import PROVENANCE_COLUMNS

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
    mode = ""          # "live" or "replay"
    image_set = ""
    target: platforms.Target | None = None   # the images' platform; None: the engine's own
    client = None

    def provenance(self) -> dict:
        raise NotImplementedError

    def label(self) -> str:
        """The ``source`` value of every row: "live" or "recorded YYYY-MM-DD"."""
        raise NotImplementedError

    def mark(self, df: pd.DataFrame) -> pd.DataFrame:
        """Label a table with where its figures come from (image set, engine, date; live or
        recorded), so ``tables.show`` can caption it whatever columns are kept."""
        where = {k: str(v) for k, v in self.provenance().items()
                 if k in PROVENANCE_COLUMNS and v}
        where["source"] = self.label()
        if "source" not in df.columns:
            df["source"] = where["source"]
        df.attrs["provenance"] = where
        return df

    def caption(self) -> str:
        """'local image set · Docker 26.1.5 (containerd, amd64) · live 2026-12-02'."""
        return plots.caption({**self.provenance(), "source": self.label()})


# ----------------------------------------------------------------------------- recorded


class RecordedSource(Source):
    """The recorded run in ``directory`` (default: lessons/recorded). ``recorded()`` gives
    the one instance per directory that the toolkit uses."""

    mode = "replay"

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
        """The size table as ``LiveSource.sizes`` gives it: whether each image answered is
        ``compare``'s check (``table("sizes")`` keeps it), not a question of size."""
        return select(self.table("sizes"), languages, variants).drop(columns=["answered"])

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
        return f"[{self.label()}] {hit.iloc[0]['result']}"

    def answers(self, language: str, variant: str, paths) -> pd.DataFrame:
        df = select(self.table("answers"), language, variant)
        df = df[df["path"].isin(list(paths))]
        if not len(df):
            raise LabError(f"no recorded answer for {language}/{variant} {list(paths)}",
                           f"recorded paths: {', '.join(probes.ASKED)}")
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

    # What a notebook cell does in replay, where nothing runs.

    def announce(self, reason: str) -> None:
        display.note(f"<b>Replay mode.</b> {html.escape(reason)}. Every table and chart below "
                     f"comes from the {html.escape(self.label())} run, not from this machine, "
                     "and every <code>!docker</code> cell shows the output it printed then.",
                     "#E69F00")

    def transcripts(self) -> tuple[str, str]:
        """How the notebooks' ``!docker`` cells behave: replay their recorded output."""
        p = self.provenance()
        return "replay", f"recorded {p['date']} on Docker {p['engine_version']}"

    def stands_for(self, command: str) -> None:
        """A measurement's docker command is shown where it runs, not over recorded figures."""

    def progress(self, title: str):
        return display.NoProgress()

    def build(self, v: catalog.Variant, nocache: bool, quiet: bool, log: bool):
        print(f"(replay mode: not built here; the figures below are from the {self.label()} "
              "run)")
        return None

    def bakes(self) -> bool:
        """Nothing is built in replay: each build says so."""
        return False

    def image_layers(self, image: str) -> pd.DataFrame:
        """Only the demo images the recorded run built (lessons.record.DEMO_LAYERS)."""
        rec = self.table("demos")
        rec = rec[rec["image"] == image].drop(columns=["image"]).reset_index(drop=True)
        if rec.empty:
            raise LabError(f"{image} is not in the recorded run (the series' images and "
                           "notebook 05's demo are)", "this cell needs a Docker engine")
        return rec

    def without_attestations(self) -> str:
        return "the recorded run has none."

    def sbom(self, todo) -> None:
        print("The SBOM is made from a live image: the recorded run has none (its package "
              "counts are in the attack-surface table above).")

    def running(self, tag: str, **options):
        raise LabError("cannot run a container in replay mode", "this cell needs a Docker engine")

    def cleanup(self, sid: str) -> None:
        shutil.rmtree(session.tmp_path(sid), ignore_errors=True)
        print("replay mode: no container or image to remove; this session's temporary folder "
              "is gone")


@functools.lru_cache(maxsize=None)
def recorded(directory: Path = RECORDED) -> RecordedSource:
    """The recorded run in ``directory``: one source per directory, built when first asked."""
    return RecordedSource(directory)


def arm64_beside_amd64(say=print) -> pd.DataFrame:
    """Every image's size on linux/arm64 beside amd64, both from recorded runs whatever the
    mode: the arm64 run of ``python benchmarks/arm64.py`` (lessons/recorded/arm64; under
    emulation on an amd64 machine it takes most of an hour) and the series' recorded amd64
    run. Says where each column comes from."""
    arm, amd = recorded(RECORDED / "arm64"), recorded()
    keep = ["language", "variant", "uncompressed_mb", "compressed_mb"]
    df = amd.table("sizes")[keep].merge(arm.table("sizes")[keep + ["answered"]],
                                        on=["language", "variant"], how="inner",
                                        suffixes=("_amd64", "_arm64"))
    df["arm64_minus_amd64_mb"] = (df["uncompressed_mb_arm64"]
                                  - df["uncompressed_mb_amd64"]).round(2)
    df["arm64_over_amd64"] = (df["uncompressed_mb_arm64"] / df["uncompressed_mb_amd64"]).round(3)
    pa, pb = arm.provenance(), amd.provenance()
    how = "under emulation" if pa.get("emulated") else "natively"
    say(f"arm64 columns: RECORDED {pa['date']}, built and run {how} by `{pa['command']}` "
        f"(Docker {pa['engine_version']}, {pa['image_set']} set). amd64 columns: RECORDED "
        f"{pb['date']} by `{pb['command']}` (Docker {pb['engine_version']}).")
    df.attrs["provenance"] = {"source": arm.label(), "image_set": pa["image_set"],
                              "engine_version": pa["engine_version"], "date": pa["date"]}
    return df


# ----------------------------------------------------------------------------- live


class LiveSource(Source):
    """Measures on a live engine. Measurements of one image are kept per image id: they
    cannot change while the id stays the same, and a rebuilt image gets a new id."""

    live = True
    mode = "live"

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
            self._prov = verbs.provenance(self.client, self.image_set, self.target)
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
        tag = self.tag(language, variant)
        row = self._remember("size", tag, lambda: sizes.measure(self.client, tag))
        return {"language": language, "variant": variant, **row, **self.provenance()}

    def sizes(self, languages=None, variants=None) -> pd.DataFrame:
        rows = [self.measure(v.language, v.variant)
                for v in catalog.variants(languages, variants)]
        return sizes.tidy(pd.DataFrame(rows))

    def layers(self, language: str, variant: str) -> pd.DataFrame:
        tag = self.tag(language, variant)
        df = self._remember("layers", tag, lambda: layers.summary_table(self.client, tag))
        df["source"] = self.label()
        return df

    def attack_surface(self, languages=None, variants=None) -> pd.DataFrame:
        rows = []
        for v in catalog.variants(languages, variants):
            tag = self.tag(v.language, v.variant)
            row = self._remember("surface", tag,
                                 lambda t=tag: inventory.image_summary(self.client, t))
            rows.append({"language": v.language, "variant": v.variant, **row,
                         "source": self.label()})
        return pd.DataFrame(rows)

    def probe(self, name: str, language: str, variant: str) -> str:
        tag = self.tag(language, variant)
        try:
            return probes.PROBES[name](self.client, tag)
        except LabError:
            raise
        except EXPECTED as err:
            raise explain(err, f"running the {name} probe on {tag}") from None

    def answers(self, language: str, variant: str, paths) -> pd.DataFrame:
        rows = probes.answers(self.client, self.tag(language, variant), paths)
        out = pd.DataFrame(rows)
        out["source"] = "live"
        return out

    def runtime(self, languages=None, variants=None, runs: int = 1) -> pd.DataFrame:
        tags = {(v.language, v.variant): self.tag(v.language, v.variant)
                for v in catalog.variants(languages, variants)}
        df = runtime.table(self.client, tags, runs=runs)
        df["source"] = "live"
        return df

    def build_cost(self, language: str, variant: str, dockerfile=None,
                   on_line=None) -> pd.DataFrame:
        row = buildcost.measure(self.client, catalog.Variant(language, variant),
                                self.image_set, on_line=on_line, dockerfile=dockerfile)
        out = pd.DataFrame([row])
        out["source"] = "live"
        return out

    def folders(self, language: str, variant: str) -> pd.DataFrame:
        tag = self.tag(language, variant)
        return self._remember("folders", tag,
                              lambda: inventory.folders_live(self.client, tag))

    # What a notebook cell does live.

    def announce(self, reason: str = "") -> None:
        info = engine.describe(self.client)
        builder = "BuildKit (buildx)" if build.has_buildx() else \
            "the classic builder (buildx is missing)"
        display.note(f"<b>Live mode.</b> Docker {info['engine_version']} "
                     f"({info['storage_driver']}, {info['architecture']}), image set "
                     f"<code>{self.image_set}</code>, builds with {builder}.", "#009E73")

    def transcripts(self) -> tuple[str, str]:
        """The ``!docker`` cells run for real; ``python -m lessons record`` records them."""
        return ("record" if os.environ.get(transcripts.ENV_MODE, "") == "record" else ""), ""

    def stands_for(self, command: str) -> None:
        print(command)

    def progress(self, title: str):
        return display.Progress(title)

    def build(self, v: catalog.Variant, nocache: bool, quiet: bool, log: bool):
        bar = display.NoProgress() if quiet else display.Progress(f"building {v}")
        try:
            result = verbs.build_variant(self.client, v, self.image_set, nocache=nocache,
                                         on_step=bar.step, on_line=print if log else None,
                                         target=self.target)
        except (LabError, *EXPECTED):
            bar.done(f"building {v} failed", ok=False)
            raise
        bar.done(f"built {v.tag(self.image_set, self.target)} in {result.seconds:.1f} s, "
                 f"{result.cached_steps} of {len(result.steps)} steps from the cache")
        return result

    def bakes(self) -> bool:
        """One ``docker buildx bake`` for many variants: with buildx, for the engine's own
        platform (another platform builds one at a time)."""
        return build.has_buildx() and not getattr(self.target, "foreign", False)

    def bake(self, todo) -> None:
        bake.bake(todo, bake.bake_env(self.client, self.image_set, todo),
                  log=lambda line: print(line.replace("    $ ", "$ (from the repository's root) ")))

    def image_layers(self, image: str) -> pd.DataFrame:
        try:
            return layers.summary_table(self.client, image)
        except EXPECTED as err:
            raise explain(err, f"reading {image}") from None

    def without_attestations(self) -> str:
        """Why images here carry no attestations ("" when they can: the containerd store)."""
        if "io.containerd.snapshotter" in str(self.client.info().get("DriverStatus", "")):
            return ""
        return "this engine uses Docker's classic store, which keeps no attestations."

    def sbom(self, todo) -> pd.DataFrame:
        print("$ docker create --name x IMAGE && docker export -o x.tar x && docker rm x"
              "   # for each image; the SBOM is read from x.tar: dpkg records, dist-info "
              "METADATA, a Java runtime's release file, Go build info")
        rows, notes = [], {}
        for v in todo:
            tag = self.tag(v.language, v.variant)
            inv = inventory.of_image(self.client, tag)
            rows.append({"language": v.language, "variant": v.variant,
                         **sbom.row(inv, sbom.document(inv, tag))})
            for note in sbom.not_covered(inv):
                notes.setdefault(note, []).append(str(v))
        print("Not in these SBOMs:")
        for note, where in notes.items():
            print(f"- {note} ({len(where)} of {len(rows)} images)")
        return pd.DataFrame(rows)

    @contextlib.contextmanager
    def running(self, tag: str, **options):
        with run.running(self.client, tag, purpose="notebook", **options) as app:
            yield app

    def cleanup(self, sid: str) -> None:
        print(f"$ docker rm -f $(docker ps -aq --filter label={labels.SESSION}={sid}) "
              f"$(docker ps -aq --filter label={labels.CONTAINER}=true --filter name=-{sid})"
              f"\n$ docker image rm $(docker image ls --format '{{{{.Repository}}}}:{{{{.Tag}}}}' "
              f"'sizedrop.invalid/*' | grep -e '-{sid}$')\n$ rm -rf {session.tmp_path(sid)}")
        report = cleanup.clean_session(self.client, sid)
        done = [f"{len(v)} {k} ({', '.join(v)})" for k, v in report.items() if v]
        print(f"session {sid}: removed " + ("; ".join(done) if done else "nothing")
              + "; other sessions' containers and the shared images stay")
