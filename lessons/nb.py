"""The notebooks' side of the toolkit: one object, ``Lab``, that works live or in replay.

    from lessons.nb import Lab
    lab = Lab.start()          # finds the engine (or the recorded run) and the image set

Live, every call builds, runs and measures for real. In replay (no engine: Binder, a laptop
without Docker) the same calls show the Dockerfile and the command, and return the recorded
measurements, labelled as recorded.
"""

from __future__ import annotations

import contextlib
import html
from typing import Iterable

import pandas as pd

from . import catalog, compare, engine, imagesets, lab as L, plots, recorded
from . import run as R
from .errors import LabError


def _display(obj) -> None:
    try:
        from IPython.display import display
        display(obj)
    except ImportError:  # plain Python: print instead
        print(obj)


def _html(text: str):
    try:
        from IPython.display import HTML
        return HTML(text)
    except ImportError:
        return text


class _Progress:
    """A progress bar in the notebook (ipywidgets), or printed steps elsewhere."""

    def __init__(self, title: str):
        self.title = title
        try:
            import ipywidgets as w
            self.bar = w.IntProgress(value=0, min=0, max=1, description="",
                                     layout=w.Layout(width="60%"))
            self.label = w.HTML(value=html.escape(title))
            _display(w.VBox([self.label, self.bar]))
        except ImportError:
            self.bar = None

    def step(self, step, total) -> None:
        text = f"{self.title}: step {step.number}/{total} {step.instruction[:70]}"
        if self.bar is not None:
            self.bar.max = total
            self.bar.value = step.number
            self.label.value = html.escape(text)
        else:
            print(text, flush=True)

    def done(self, text: str) -> None:
        if self.bar is not None:
            self.bar.value = self.bar.max
            self.bar.bar_style = "success"
            self.label.value = html.escape(text)
        else:
            print(text, flush=True)


# Measurements of an image that cannot change while its id stays the same (per kernel).
_MEMO: dict = {}


def verdict(ok, what: str, hint: str = "") -> None:
    """A check cell's answer: PASS or FAIL in one line (no exception, so the notebook runs on)."""
    if ok is None:
        print(f"NOT ANSWERED YET: {what}")
        return
    print(("PASS: " if ok else "FAIL: ") + what + ("" if ok or not hint else f" (hint: {hint})"))


class Lab:
    def __init__(self, client, image_set: str, mode: str):
        self.client = client
        self.image_set = image_set
        self.mode = mode

    # ------------------------------------------------------------------ start

    @classmethod
    def start(cls, quiet: bool = False) -> "Lab":
        """Connect to the engine and pick the image set; fall back to replay without one."""
        try:
            client = engine.connect()
        except LabError as err:
            lab = cls(None, recorded.provenance()["image_set"], "replay")
            if not quiet:
                _display(_html(
                    "<div style='border-left:4px solid #E69F00;padding:4px 10px'>"
                    f"<b>Replay mode.</b> {html.escape(err.message)}. Every table and chart "
                    f"below comes from the {html.escape(recorded.label())} run, "
                    "not from this machine.</div>"))
            return lab
        image_set = imagesets.choose(client)
        lab = cls(client, image_set, "live")
        if not quiet:
            info = engine.describe(client)
            _display(_html(
                "<div style='border-left:4px solid #009E73;padding:4px 10px'><b>Live mode.</b> "
                f"Docker {info['engine_version']} ({info['storage_driver']}, "
                f"{info['architecture']}), image set <code>{image_set}</code>.</div>"))
        return lab

    @property
    def live(self) -> bool:
        return self.mode == "live"

    def source(self) -> str:
        """Where the figures come from, for chart titles and captions."""
        if not self.live:
            p = recorded.provenance()
            return (f"{p['image_set']} image set · Docker {p['engine_version']} · "
                    f"{recorded.label()} (replayed, not live)")
        info = engine.describe(self.client)
        return (f"{self.image_set} image set · Docker {info['engine_version']} "
                f"({info['storage_driver']}, {info['architecture']}) · live {engine.today()}")

    # ------------------------------------------------------------------ Dockerfiles

    def variant(self, language: str, variant: str) -> catalog.Variant:
        return catalog.variants(language, variant)[0]

    def dockerfile(self, language: str, variant: str):
        """The Dockerfile, syntax-highlighted."""
        v = self.variant(language, variant)
        text = v.dockerfile.read_text()
        try:
            from IPython.display import Code
            return Code(text, language="docker")
        except ImportError:
            return text

    def command(self, language: str, variant: str) -> str:
        v = self.variant(language, variant)
        return L.command(v, self.image_set)

    def tag(self, language: str, variant: str) -> str:
        return self.variant(language, variant).tag(self.image_set)

    # ------------------------------------------------------------------ build

    def build(self, language: str, variant: str, *, nocache: bool = False, quiet=False):
        """Build one variant, with a progress bar; prints the equivalent CLI command."""
        v = self.variant(language, variant)
        print("$ " + L.command(v, self.image_set, nocache=nocache))
        if not self.live:
            print(f"(replay mode: not built here; the figures below are from the "
                  f"{recorded.label()} run)")
            return None
        bar = None if quiet else _Progress(f"building {v}")
        result = L.build_variant(self.client, v, self.image_set, nocache=nocache,
                                 on_step=bar.step if bar else None)
        if bar:
            bar.done(f"built {v.tag(self.image_set)} in {result.seconds:.1f} s, "
                     f"{result.cached_steps} of {len(result.steps)} steps from the cache")
        return result

    def build_all(self, languages=None, variants=None) -> None:
        for v in catalog.variants(languages, variants):
            self.build(v.language, v.variant)

    # ------------------------------------------------------------------ measure

    def sizes(self, languages=None, variants=None) -> pd.DataFrame:
        """Size table (live: measured now from `docker save`; replay: recorded)."""
        if not self.live:
            return recorded.sizes(languages, variants)
        prov = L.provenance(self.client, self.image_set)
        rows = []
        for v in catalog.variants(languages, variants):
            row = {"language": v.language, "variant": v.variant}
            row.update(L.measure_image(self.client, v.tag(self.image_set), prov))
            rows.append(row)
        return compare.tidy(pd.DataFrame(rows))

    def plot_sizes(self, df: pd.DataFrame, log: bool = False, compressed: bool = True):
        return plots.size_drop(df, log=log, compressed=compressed)

    def attack_surface(self, languages=None, variants=None) -> pd.DataFrame:
        """What each image carries: files, shells, package managers, compilers, user..."""
        if not self.live:
            return _filter(recorded.load("inventory"), languages, variants)
        from . import inventory as I
        rows = []
        for v in catalog.variants(languages, variants):
            tag = v.tag(self.image_set)
            key = ("surface", self.client.images.get(tag).id)
            if key not in _MEMO:
                _MEMO[key] = I.image_summary(self.client, tag)
            row = {"language": v.language, "variant": v.variant}
            row.update(_MEMO[key])
            rows.append(row)
        return pd.DataFrame(rows)

    def layers(self, language: str, variant: str) -> pd.DataFrame:
        """One row per layer: instruction, sizes, files added/changed/removed; the image's
        dive efficiency and wasted MB repeated on every row."""
        if not self.live:
            df = recorded.load("layers")
            return df[(df["language"] == language) & (df["variant"] == variant)] \
                .drop(columns=["language", "variant"]).reset_index(drop=True)
        from . import layers as Ly
        tag = self.tag(language, variant)
        key = ("layers", self.client.images.get(tag).id)
        if key in _MEMO:
            return _MEMO[key].copy()
        t = Ly.summary_table(self.client, tag)
        _MEMO[key] = t
        return t.copy()

    def try_shell(self, language: str, variant: str) -> str:
        """Start the image with `sh` as its entrypoint: what happens?"""
        print(f"$ docker run --rm --entrypoint sh {self.tag(language, variant)} "
              "-c 'echo I am a shell in $(pwd)'")
        return self.probe("shell", language, variant)

    def probe(self, name: str, language: str, variant: str) -> str:
        """One of lessons.probes.PROBES (shell, user, healthcheck, health, pid1, sidecar,
        hardening): run live, or the recorded outcome in replay (prefixed with its label)."""
        if not self.live:
            try:
                df = recorded.load("probes")
            except LabError as err:
                return f"[replay] no recorded outcome: {err.message}"
            hit = df[(df["probe"] == name) & (df["language"] == language)
                     & (df["variant"] == variant)]
            return f"[{recorded.label()}] " + (hit.iloc[0]["result"] if len(hit) else "n/a")
        from . import probes
        return probes.PROBES[name](self.client, self.tag(language, variant))

    _probe = probe

    def probes(self, name: str, languages=None, variants=None) -> pd.DataFrame:
        """The same probe on several images, as a table."""
        rows = [{"language": v.language, "variant": v.variant,
                 name: self.probe(name, v.language, v.variant)}
                for v in catalog.variants(languages, variants)]
        return pd.DataFrame(rows)

    def sidecar_command(self, language: str, variant: str) -> str:
        """The docker CLI for a debugging sidecar sharing the app's PID and network."""
        from . import probes
        image = probes.debug_image(self.client) if self.live else "debian:trixie-slim"
        return (f"$ docker run -d --name app {self.tag(language, variant)}\n$ "
                + probes.sidecar_command("app", image))

    def ask(self, language: str, variant: str, paths=("/", "/primes?n=30")) -> pd.DataFrame:
        """Start the image (safe defaults), ask it ``paths``, remove it. One row per path:
        status and body. Replay: the recorded answers."""
        from . import probes
        if isinstance(paths, str):
            paths = [paths]
        for p in paths:
            print(f"$ curl -s http://127.0.0.1:PORT{p}")
        if not self.live:
            df = recorded.load("answers")
            df = df[(df["language"] == language) & (df["variant"] == variant)
                    & df["path"].isin(paths)]
            if not len(df):
                raise LabError(f"no recorded answer for {language}/{variant} {list(paths)}",
                               f"recorded paths: {', '.join(probes.ASKED)}")
            return df.drop(columns=["language", "variant"]).reset_index(drop=True)
        rows = probes.answers(self.client, self.tag(language, variant), paths)
        out = pd.DataFrame(rows)
        out["source"] = "live"
        return out

    def runtime(self, languages=None, variants=None, runs: int = 1) -> pd.DataFrame:
        """Start-up time, memory idle and after a burst, stop time (lessons.runtime)."""
        if not self.live:
            return _filter(recorded.load("runtime"), languages, variants)
        from . import runtime as RT
        tags = {(v.language, v.variant): v.tag(self.image_set)
                for v in catalog.variants(languages, variants)}
        df = RT.table(self.client, tags, runs=runs)
        df["source"] = "live"
        return df

    def build_cost(self, language: str, variant: str) -> pd.DataFrame:
        """A cold build (no cache) then a warm rebuild after a one-line source change, in a
        copy of the app folder (lessons.buildcost). Replay: the recorded row."""
        from .build import cli_command
        from .buildcost import SOURCE_FILE
        v = self.variant(language, variant)
        tag = f"sizedrop.invalid/buildcost-{language}:{variant}"
        args = L.build_args(v, self.image_set)
        mark = "#" if language == "python" else "//"
        print(f"$ cp -r sample_apps/{language} /tmp/copy && cd /tmp/copy")
        print("$ " + cli_command(v.dockerfile, ".", tag, args, nocache=True).split("    #")[0]
              + "   # cold")
        print(f"$ echo '{mark} a one-line change' >> {SOURCE_FILE[language]}")
        print("$ " + cli_command(v.dockerfile, ".", tag, args).split("    #")[0] + "   # warm")
        if not self.live:
            return _filter(recorded.load("buildcost"), language, variant)
        from . import buildcost
        bar = _Progress(f"cold and warm builds of {v}")
        row = buildcost.measure(self.client, v, self.image_set)
        bar.done(f"cold {row['cold_s']} s, warm {row['warm_s']} s")
        out = pd.DataFrame([row])
        out["source"] = "live"
        return out

    def explore(self, language: str = "go", variant: str = "single-stage"):
        """The interactive image explorer (lessons.explorer)."""
        from . import explorer
        return explorer.explore(self, language, variant)

    # ------------------------------------------------------------------ challenge

    def challenge_targets(self) -> pd.DataFrame:
        from . import challenge
        return challenge.targets(self.sizes(None, challenge.REFERENCE_VARIANT))

    def check(self, language: str, dockerfile=None, which: str = "start"):
        """Build, run and judge a challenge Dockerfile (lessons.challenge). Replay: the
        recorded check of the starting point (which='start') or of the solution."""
        from . import challenge
        path = dockerfile or challenge.starting_point(language)
        if not self.live:
            res = challenge.check_recorded(language, which)
            print(f"(replay mode: nothing is built here; this is the recorded check of the "
                  f"{'reference solution' if which == 'solution' else 'starting point'})")
            print(res.report())
            return res
        sizes = self.sizes(None, challenge.REFERENCE_VARIANT)
        bar = _Progress(f"building {path}")
        res = challenge.check_live(self.client, self.image_set, language, path, sizes,
                                   on_step=bar.step)
        bar.done("checked")
        print(res.report())
        return res

    # ------------------------------------------------------------------ run

    @contextlib.contextmanager
    def running(self, language: str, variant: str, **options):
        """Run a variant the lab's safe way; removed at the end of the block, always."""
        self._need_live("run a container")
        with R.running(self.client, self.tag(language, variant), purpose="notebook",
                       **options) as app:
            yield app

    def _need_live(self, what: str) -> None:
        if not self.live:
            raise LabError(f"cannot {what} in replay mode", "this cell needs a Docker engine")

    def cleanup(self) -> None:
        """Remove containers the notebooks started (never anything else)."""
        if self.live:
            from .cleanup import remove_containers
            n = sum(remove_containers(self.client, purpose)
                    for purpose in ("notebook", "probe"))
            print(f"removed {n} container(s) left by the notebooks")
        else:
            print("replay mode: no containers to remove")


def pull_seconds(df: pd.DataFrame, mbit_per_s, nodes: int = 1,
                 registry_mbit: float | None = None) -> pd.DataFrame:
    """Seconds to download each image's compressed layers at ``mbit_per_s`` (a number or a
    list), for ``nodes`` nodes pulling at once through a registry link of ``registry_mbit``
    (shared; None = unlimited). Pure arithmetic on measured sizes: 1 MB = 8 Mbit."""
    speeds = [mbit_per_s] if isinstance(mbit_per_s, (int, float)) else list(mbit_per_s)
    rows = []
    for _, r in df.iterrows():
        row = {"language": r["language"], "variant": r["variant"],
               "compressed_mb": r["compressed_mb"]}
        for s in speeds:
            per_node = s if registry_mbit is None else min(s, registry_mbit / nodes)
            row[f"{s:g} Mbit/s"] = round(r["compressed_mb"] * 8 / per_node, 1)
        rows.append(row)
    return pd.DataFrame(rows)


def _filter(df: pd.DataFrame, languages, variants) -> pd.DataFrame:
    wanted = {(v.language, v.variant) for v in catalog.variants(languages, variants)}
    keep = [(a, b) in wanted for a, b in zip(df["language"], df["variant"])]
    return df[keep].reset_index(drop=True)


def show(df: pd.DataFrame, caption: str = ""):
    """A table with its provenance as caption."""
    if "source" in df and len(df):
        r = df.iloc[0]
        src = r.get("source", "")
        caption = caption or (f"{r.get('image_set', '')} image set, Docker "
                              f"{r.get('engine_version', '')}, "
                              + (f"measured live {r.get('date', '')}" if src == "live"
                                 else f"{src} (replayed)"))
    return df.style.set_caption(caption).hide(axis="index") if caption else df


def columns(df: pd.DataFrame, names: Iterable[str]) -> pd.DataFrame:
    return df[[n for n in names if n in df.columns]]


def plot_fleet(df: pd.DataFrame, nodes=(1, 5, 10, 25, 50, 100), node_mbit: float = 1000,
               registry_mbit: float = 10000, language: str | None = None):
    """Seconds until every node of a fleet has pulled the image (all nodes start together and
    share the registry's uplink), per variant; computed from measured compressed sizes."""
    import matplotlib.pyplot as plt

    sub = df if language is None else df[df["language"] == language]
    fig, ax = plt.subplots(figsize=(plots.WIDTH_IN, 4))
    for _, r in sub.iterrows():
        secs = [r["compressed_mb"] * 8 / min(node_mbit, registry_mbit / n) for n in nodes]
        ax.plot(nodes, secs, marker="o", color=plots.COLOURS[r["variant"]],
                linestyle="-" if language else {"go": "-", "java": "--", "python": ":"}[
                    r["language"]], label=f"{r['language']} {r['variant']}")
    ax.set_xlabel("nodes pulling at the same time")
    ax.set_ylabel("seconds until the last node has the image")
    ax.set_yscale("log")
    ax.set_title(f"Pull time for a fleet: {node_mbit:g} Mbit/s per node, registry uplink "
                 f"{registry_mbit:g} Mbit/s shared", fontsize=11)
    fig.text(0.5, -0.02, "computed from the compressed sizes: " + plots.source_line(df),
             ha="center", fontsize=8, color="#444444")
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
