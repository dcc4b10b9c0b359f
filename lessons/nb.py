"""The notebooks' side of the toolkit: one object, ``Lab``, that works live or in replay.

    from lessons.nb import Lab
    lab = Lab.start("01-single-stage")   # finds the engine (or the recorded run)

``Lab`` chooses a source (lessons.sources: live engine or recorded run) and displays what it
returns. Every helper that does Docker work prints the docker command it stands for, generated
from the same arguments. Without an engine the notebooks' own ``!docker`` cells replay their
recorded output (lessons.transcripts), and every table and chart says it is recorded.
"""

from __future__ import annotations

import contextlib
import html
import os
import shlex
import shutil
from typing import Iterable

import pandas as pd

from . import bake, build, catalog, cells, engine, imagesets, labels, plots, run, session, transcripts
from . import lab as verbs
from .cells import need_table
from .errors import EXPECTED, LabError, explain
from .sources import LiveSource, RecordedSource, Source, select


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


def _ipython():
    try:
        from IPython import get_ipython
        return get_ipython()
    except ImportError:
        return None


def _text_fallback(widget, text: str):
    """``widget`` for a notebook that renders widgets; ``text`` (instead of the widget's
    repr, "VBox(children=...") for a viewer that does not, such as a static page."""
    class _Shown:
        def _repr_mimebundle_(self, **kwargs):
            data = widget._repr_mimebundle_(**kwargs) or {}
            if isinstance(data, tuple):
                data = data[0]
            return {**data, "text/plain": text}
    return _Shown()


class _Progress:
    """A progress bar in the notebook (ipywidgets), or printed steps elsewhere."""

    def __init__(self, title: str):
        self.title = title
        self.bar = None
        if _ipython() is not None:
            try:
                import ipywidgets as w
                self.bar = w.IntProgress(value=0, min=0, max=1, layout=w.Layout(width="60%"))
                self.label = w.HTML(value=html.escape(title))
                _display(_text_fallback(w.VBox([self.label, self.bar]), title))
            except ImportError:
                self.bar = None

    def step(self, step, total) -> None:
        where = f"[{step.stage} {step.index}] " if step.stage else ""
        text = f"{self.title}: step {step.number}/{total} {where}{step.instruction[:70]}"
        if self.bar is not None:
            self.bar.max = max(total, 1)
            self.bar.value = min(step.number, self.bar.max)
            self.label.value = html.escape(text)
        else:
            print(text, flush=True)

    def done(self, text: str, ok: bool = True) -> None:
        if self.bar is not None:
            self.bar.value = self.bar.max
            self.bar.bar_style = "success" if ok else "danger"
            self.label.value = html.escape(text)
        else:
            print(text, flush=True)


def verdict(ok, what: str, hint: str = "") -> None:
    """A warm-up question's answer: PASS or FAIL in one line (no exception)."""
    if ok is None:
        print(f"NOT ANSWERED YET: {what}")
        return
    print(("PASS: " if ok else "FAIL: ") + what + ("" if ok or not hint else f" (hint: {hint})"))


def _probe_name(name: str) -> None:
    from . import probes
    if name not in probes.PROBES:
        raise LabError(f"no probe called {name!r}", "one of: " + ", ".join(probes.PROBES))


def _cmd(argv) -> str:
    return "$ " + (argv if isinstance(argv, str) else shlex.join(argv))


class Lab:
    def __init__(self, source: Source, notebook: str | None = None):
        self.source = source
        self.notebook = notebook

    # ------------------------------------------------------------------ start

    @classmethod
    def start(cls, notebook: str | None = None, quiet: bool = False) -> "Lab":
        """Connect to the engine and pick the image set; replay the recorded run without one.

        ``notebook`` (the notebook's file name without .ipynb) lets its ``!docker`` cells
        replay their recorded output when there is no engine."""
        ip = _ipython()
        if ip is not None:
            cells.install(ip, HELPERS)
        try:
            client = engine.connect()
        except LabError as err:
            source = RecordedSource()
            lab = cls(source, notebook)
            if not quiet:
                _display(_html(
                    "<div style='border-left:4px solid #E69F00;padding:4px 10px'>"
                    f"<b>Replay mode.</b> {html.escape(err.message)}. Every table and chart "
                    f"below comes from the {html.escape(source.label())} run, not from this "
                    "machine, and every <code>!docker</code> cell shows the output it printed "
                    "then.</div>"))
            lab._set_environment(announce=False)
            if ip is not None and notebook:
                transcripts.install(ip, "replay", notebook, lab._transcript_label())
            return lab
        from .compare import ready_image_set
        from .platforms import requested, resolve
        target = resolve(client) if requested() else None   # $LESSONS_PLATFORM
        image_set = ready_image_set(client, target=target)
        lab = cls(LiveSource(client, image_set, target), notebook)
        if not quiet:
            info = engine.describe(client)
            from .build import has_buildx
            builder = "BuildKit (buildx)" if has_buildx() else \
                "the classic builder (buildx is missing)"
            _display(_html(
                "<div style='border-left:4px solid #009E73;padding:4px 10px'><b>Live mode.</b> "
                f"Docker {info['engine_version']} ({info['storage_driver']}, "
                f"{info['architecture']}), image set <code>{image_set}</code>, builds with "
                f"{builder}.</div>"))
        lab._set_environment(announce=not quiet)
        if ip is not None and notebook and \
                os.environ.get(transcripts.ENV_MODE, "") == "record":
            transcripts.install(ip, "record", notebook, "")
        return lab

    def _transcript_label(self) -> str:
        p = self.source.provenance()
        return f"recorded {p['date']} on Docker {p['engine_version']}"

    def _set_environment(self, announce: bool) -> None:
        """Put the base-image build args of the chosen set (and the offline pip settings, when
        builds cannot reach PyPI) into this kernel's environment, so ``docker build
        --build-arg GO_IMAGE`` in a cell passes them on: a build arg given without a value
        takes it from the environment, and is left out when the variable is unset, so the
        Dockerfile's default (the official tag) applies."""
        say = self._say if announce else (lambda _: None)
        session.begin()   # $SIZEDROP_SESSION and $SIZEDROP_TMP for this kernel's cells
        values = verbs.build_env(self.client, self.image_set, say)
        verbs.apply_build_env(values)
        # A notebook's `!` runs commands in a pseudo-terminal, where BuildKit would draw its
        # interactive display; the plain log (one line per event) reads better in a notebook.
        os.environ["BUILDKIT_PROGRESS"] = "plain"
        if announce and values:
            print("This kernel's environment now has "
                  + ", ".join(f"{k}={v}" for k, v in list(values.items())[:2])
                  + f" and {len(values) - 2} more: `--build-arg NAME` without a value passes "
                  "them to docker build (`lab.build_env()` lists them, `lab.exports()` prints "
                  "them for a terminal).")

    def _say(self, text: str) -> None:
        """Print a set-up message; the PyPI probe's full reason only in notebook 00 (the
        other notebooks say what it means in one short line)."""
        first = (self.notebook or "").startswith("00")
        if text.startswith("PyPI is not reachable") and not first:
            text = ("PyPI is not reachable from containers here: Python builds install the "
                    "local wheels (notebook 00 shows why).")
        print(text)

    def exports(self) -> None:
        """Print the ``export NAME=value`` lines that give a terminal the build args this
        kernel has, so the notebooks' ``docker build`` commands work there too."""
        names = [b.arg for b in imagesets.BASE_IMAGES] + ["PIP_NO_INDEX", "PIP_FIND_LINKS",
                                                          session.ENV, session.TMP_ENV]
        values = {n: os.environ[n] for n in names if os.environ.get(n)}
        if not values:
            print("# nothing to export: no build arg is set in this kernel, so the "
                  "Dockerfiles' defaults (the official images) apply in a terminal too")
            return
        print("\n".join(verbs.exports(values)))

    def build_env(self) -> pd.DataFrame:
        """The build args this kernel's environment holds for ``docker build --build-arg``."""
        names = [b.arg for b in imagesets.BASE_IMAGES] + ["PIP_NO_INDEX", "PIP_FIND_LINKS"]
        return pd.DataFrame([{"build arg": n, "value in this kernel": os.environ.get(n, "")
                              or "(unset: the Dockerfile's default applies)"} for n in names])

    @property
    def live(self) -> bool:
        return self.source.live

    @property
    def mode(self) -> str:
        return "live" if self.live else "replay"

    @property
    def image_set(self) -> str:
        return self.source.image_set

    @property
    def client(self):
        return getattr(self.source, "client", None)

    def _mark(self, df: pd.DataFrame) -> pd.DataFrame:
        """Label a table with where its figures come from (image set, engine, date; live or
        recorded), so ``show`` can caption it whatever columns are kept."""
        where = {k: str(v) for k, v in self.source.provenance().items()
                 if k in PROVENANCE_COLUMNS and v}
        where["source"] = self.source.label()
        if "source" not in df.columns:
            df["source"] = where["source"]
        df.attrs["provenance"] = where
        return df

    def caption(self) -> str:
        """Where the figures come from, for chart titles and captions."""
        return self.source.caption()

    source_line = caption

    # ------------------------------------------------------------------ Dockerfiles

    def variant(self, language: str, variant: str) -> catalog.Variant:
        return catalog.variant(language, variant)

    def dockerfile(self, language: str, variant: str):
        """The Dockerfile, syntax-highlighted."""
        text = self.variant(language, variant).dockerfile.read_text()
        try:
            from IPython.display import Code
            return Code(text, language="docker")
        except ImportError:
            return text

    def command(self, language: str, variant: str, nocache: bool = False) -> str:
        """The ``docker buildx build`` command of one variant, run from this folder."""
        return verbs.command(self.variant(language, variant), self.image_set, nocache,
                             self.client, target=self._target)

    @property
    def _target(self):
        """The platform of the images ($LESSONS_PLATFORM), None for the engine's own."""
        return getattr(self.source, "target", None)

    def tag(self, language: str, variant: str) -> str:
        return self.variant(language, variant).tag(self.image_set, self._target)

    def image(self, arg: str) -> str:
        """The name of a base image in this image set, by its build-arg name
        (``lab.image("BUSYBOX_IMAGE")``)."""
        return imagesets.name_in(self.image_set, arg)

    def recorded_table(self, name: str) -> pd.DataFrame:
        """A table only a recorded run has (it needed more than one engine, say), labelled
        recorded whatever the mode."""
        return RecordedSource().table(name)

    def arm64_sizes(self) -> pd.DataFrame:
        """Every image's size on linux/arm64 beside amd64, both from recorded runs whatever
        the mode: the arm64 run of ``python benchmarks/arm64.py`` (lessons/recorded/arm64;
        under emulation on an amd64 machine it takes most of an hour) and the series' recorded
        amd64 run. Prints where each column comes from."""
        from .sources import RECORDED

        arm = RecordedSource(RECORDED / "arm64")
        amd = RecordedSource()
        keep = ["language", "variant", "uncompressed_mb", "compressed_mb"]
        a = arm.table("sizes")[keep + ["answered"]]
        b = amd.table("sizes")[keep]
        df = b.merge(a, on=["language", "variant"], how="inner", suffixes=("_amd64", "_arm64"))
        df["arm64_minus_amd64_mb"] = (df["uncompressed_mb_arm64"]
                                      - df["uncompressed_mb_amd64"]).round(2)
        df["arm64_over_amd64"] = (df["uncompressed_mb_arm64"]
                                  / df["uncompressed_mb_amd64"]).round(3)
        pa, pb = arm.provenance(), amd.provenance()
        how = "under emulation" if pa.get("emulated") else "natively"
        self._say(f"arm64 columns: RECORDED {pa['date']}, built and run {how} by "
                  f"`{pa['command']}` (Docker {pa['engine_version']}, {pa['image_set']} set). "
                  f"amd64 columns: RECORDED {pb['date']} by `{pb['command']}` "
                  f"(Docker {pb['engine_version']}).")
        df.attrs["provenance"] = {"source": arm.label(), "image_set": pa["image_set"],
                                  "engine_version": pa["engine_version"],
                                  "date": pa["date"]}
        return df

    # ------------------------------------------------------------------ build

    def build(self, language: str, variant: str, *, nocache: bool = False, quiet=False,
              log: bool = False):
        """Build one variant with a progress bar; prints the command it runs. ``log=True``
        also prints BuildKit's own log."""
        v = self.variant(language, variant)
        print(_cmd(self.command(language, variant, nocache)))
        if not self.live:
            print(f"(replay mode: not built here; the figures below are from the "
                  f"{self.source.label()} run)")
            return None
        bar = None if quiet else _Progress(f"building {v}")
        try:
            result = verbs.build_variant(self.client, v, self.image_set, nocache=nocache,
                                         on_step=bar.step if bar else None,
                                         on_line=print if log else None,
                                         target=self._target)
        except (LabError, *EXPECTED):
            if bar:
                bar.done(f"building {v} failed", ok=False)
            raise
        if bar:
            bar.done(f"built {self.tag(language, variant)} in {result.seconds:.1f} s, "
                     f"{result.cached_steps} of {len(result.steps)} steps from the cache")
        return result

    def build_all(self, languages=None, variants=None) -> None:
        """Every variant (or the ones named) in one ``docker buildx bake`` of the repository's
        docker-bake.hcl; prints the command, which a terminal at the repository's root runs
        as it is. Without buildx, or for another platform, one build at a time."""
        todo = catalog.variants(languages, variants)
        if not self.live or not build.has_buildx() or getattr(self._target, "foreign", False):
            for v in todo:
                self.build(v.language, v.variant)
            return
        bake.bake(todo, bake.bake_env(self.client, self.image_set, todo),
                  log=lambda line: print(line.replace("    $ ", "$ (from the repository's root) ")))

    # ------------------------------------------------------------------ measure

    def sizes(self, languages=None, variants=None) -> pd.DataFrame:
        """Size table (live: measured now from `docker save`; replay: recorded)."""
        catalog.variants(languages, variants)
        if self.live:
            print("$ docker save IMAGE   # for each image: every layer tar summed, "
                  "and gzipped (-6) for the compressed size")
        return self._mark(self.source.sizes(languages, variants))

    def plot_sizes(self, df: pd.DataFrame, log: bool = False, compressed: bool = True):
        return plots.size_drop(need_table(df, "lab.plot_sizes"), log=log,
                               compressed=compressed)

    def attack_surface(self, languages=None, variants=None) -> pd.DataFrame:
        """What each image carries: files, shells, package managers, compilers, user..."""
        catalog.variants(languages, variants)
        if self.live:
            print("$ docker create --name x IMAGE && docker export x | tar -tv && docker rm x"
                  "   # for each image: its files, read without starting it")
        return self._mark(self.source.attack_surface(languages, variants))

    def _containerd_store(self) -> bool:
        """Live, with the containerd image store (what keeps attestations)?"""
        return self.live and "io.containerd.snapshotter" in str(
            self.source.client.info().get("DriverStatus", ""))

    def provenance(self, language: str, variant: str) -> pd.DataFrame | None:
        """Build one image with ``--provenance=mode=max`` and read the SLSA statement BuildKit
        attached to it (lessons.provenance): prints who built it from which Dockerfile with
        which build args, and returns the materials (base images and their digests)."""
        from . import provenance

        if not self._containerd_store():
            print("Provenance needs a live engine with the containerd image store (Docker "
                  "Desktop, or Engine with \"containerd-snapshotter\" on in daemon.json); "
                  + ("the recorded run has none." if not self.live else
                     "this engine uses Docker's classic store, which keeps no attestations."))
            return None
        client = self.source.client
        tag = session.named(f"sizedrop.invalid/work:05-provenance-{language}-{variant}")
        provenance.build_with_provenance(client, self.variant(language, variant),
                                         self.image_set, tag)
        print("$ docker buildx history inspect attachment --type "
              "https://slsa.dev/provenance/v0.2   # the same statement, from the build record")
        s = provenance.summary(provenance.of_image(client, tag))
        for key in ("predicate type", "subject digest", "builder id", "frontend", "dockerfile",
                    "build args", "started", "finished"):
            print(f"{key:>15}: {s[key]}")
        return self._mark(pd.DataFrame(s["materials"], columns=["material", "digest"]))

    def sbom(self, languages=None, variants=None) -> pd.DataFrame | None:
        """An SBOM of every image, made from what it holds (lessons.sbom, CycloneDX): files,
        packages and SBOM components per image, and what the SBOM cannot see."""
        from . import inventory, sbom

        if not self.live:
            print("The SBOM is made from a live image: the recorded run has none (its package "
                  "counts are in the attack-surface table above).")
            return None
        print("$ docker create --name x IMAGE && docker export -o x.tar x && docker rm x"
              "   # for each image; the SBOM is read from x.tar: dpkg records, dist-info "
              "METADATA, a Java runtime's release file, Go build info")
        rows, notes = [], {}
        for v in catalog.variants(languages, variants):
            inv = inventory.of_image(self.source.client, self.tag(v.language, v.variant))
            bom = sbom.document(inv, self.tag(v.language, v.variant))
            rows.append({"language": v.language, "variant": v.variant, **sbom.row(inv, bom)})
            for note in sbom.not_covered(inv):
                notes.setdefault(note, []).append(str(v))
        print("Not in these SBOMs:")
        for note, where in notes.items():
            print(f"- {note} ({len(where)} of {len(rows)} images)")
        return self._mark(pd.DataFrame(rows))

    def layers(self, language: str, variant: str) -> pd.DataFrame:
        """One row per layer: instruction, sizes, files added/changed/removed; the image's
        efficiency and wasted MB repeated on every row."""
        return self._mark(self.source.layers(language, variant))

    def image_layers(self, image: str) -> pd.DataFrame:
        """The layer table of any local image (``layers`` is for the series' own). In replay
        mode only the demo images the recorded run built (``lessons.record.DEMO_LAYERS``)."""
        print(f"$ docker save {image}   # every layer read, files and sizes")
        if not self.live:
            rec = RecordedSource().table("demos")
            rec = rec[rec["image"] == image].drop(columns=["image"]).reset_index(drop=True)
            if rec.empty:
                raise LabError(f"{image} is not in the recorded run (the series' images and "
                               "notebook 05's demo are)", "this cell needs a Docker engine")
            return self._mark(rec)
        from . import layers
        try:
            df = layers.summary_table(self.client, image)
        except EXPECTED as err:
            raise explain(err, f"reading {image}") from None
        return self._mark(df)

    def try_shell(self, language: str, variant: str) -> str:
        return self.probe("shell", language, variant)

    def probe(self, name: str, language: str, variant: str, show: bool = True) -> str:
        """One experiment (lessons.probes.PROBES) on an image: run live, or the recorded
        outcome in replay (prefixed with its label). Prints the commands it stands for."""
        from . import probes
        _probe_name(name)
        catalog.variant(language, variant)
        if show:
            print(probes.COMMANDS[name](self.tag(language, variant)))
        result = self.source.probe(name, language, variant)
        return result if self.live else f"[{self.source.label()}] {result}"

    def probes(self, name: str, languages=None, variants=None) -> pd.DataFrame:
        """The same probe on several images, as a table."""
        from . import probes
        _probe_name(name)
        todo = catalog.variants(languages, variants)
        print(probes.COMMANDS[name]("IMAGE") + "   # for each image below")
        rows = [{"language": v.language, "variant": v.variant,
                 name: self.probe(name, v.language, v.variant, show=False)} for v in todo]
        df = pd.DataFrame(rows)
        df["source"] = self.source.label()
        return self._mark(df)

    def ask(self, language: str, variant: str, paths=("/", "/primes?n=30")) -> pd.DataFrame:
        """Start the image (safe defaults), ask it ``paths``, remove it. One row per path."""
        if isinstance(paths, str):
            paths = [paths]
        tag = self.tag(language, variant)
        name = session.named("app")
        print(_cmd(run.run_command(tag, name=name, purpose="notebook")))
        for p in paths:   # double quotes: the shell must still run $(docker port ...)
            print(f'$ curl -s "http://$(docker port {name} 8080){p}"')
        print(_cmd(["docker", "rm", "-f", name]))
        df = self.source.answers(language, variant, paths)
        if "source" not in df:
            df["source"] = self.source.label()
        return self._mark(df)

    def runtime(self, languages=None, variants=None, runs: int = 1) -> pd.DataFrame:
        """Start-up time, memory idle and after a burst, stop time (lessons.runtime)."""
        if not isinstance(runs, int) or runs < 1:
            raise LabError(f"runs={runs!r}: the number of runs is a whole number, 1 or more",
                           "e.g. lab.runtime(runs=3)")
        catalog.variants(languages, variants)
        if self.live:
            print("$ docker run -d ... IMAGE; until curl answers /healthz; docker stats "
                  "--no-stream; (a burst of requests); docker stats --no-stream; "
                  "time docker stop   # for each image")
        return self._mark(self.source.runtime(languages, variants, runs))

    def build_cost(self, language: str, variant: str, dockerfile=None) -> pd.DataFrame:
        """A cold build (empty cache) then a warm rebuild after a one-line source change, in a
        copy of the app folder (lessons.buildcost). Replay: the recorded row."""
        from .build import _shown_path
        from .buildcost import SOURCE_FILE, commands
        v = self.variant(language, variant)
        here = os.getcwd()
        for i, line in enumerate(commands(v, self.image_set, self.client, dockerfile)):
            if i == 0 and not isinstance(line, str) and line[:2] == ["cp", "-r"]:
                # the copy, from this notebook's folder (and the demo Dockerfile with it)
                copy = line[3]
                line = ["cp", "-r", _shown_path(v.context, here), copy]
                if dockerfile:
                    print(_cmd(line))
                    line = ["cp", _shown_path(os.path.abspath(dockerfile), here), copy]
            if not isinstance(line, str) and line[:2] == ["sh", "-c"]:
                line = line[2]   # as typed: `echo '...' >> main.go`, not `sh -c '...'`
                print(f"$ {line}")
                continue
            print(_cmd(line) if not isinstance(line, str) else line)
        if not self.live:
            return self._mark(self.source.build_cost(language, variant, dockerfile))
        bar = _Progress(f"cold and warm builds of {v} (edits {SOURCE_FILE[language]})")
        df = self.source.build_cost(language, variant, dockerfile)
        r = df.iloc[0]
        bar.done(f"cold {r['cold_s']} s, warm {r['warm_s']} s")
        return self._mark(df)

    def explore(self, language: str = "go", variant: str = "single-stage"):
        """The interactive image explorer (lessons.explorer); returns the widget."""
        from . import explorer
        catalog.variant(language, variant)
        return explorer.explore(self.source, language, variant,
                                command=lambda lang, var: self.command(lang, var))

    # ------------------------------------------------------------------ hands-on

    def workspace(self, exercise: str, reset: bool = False):
        """Your own work folder for an exercise (lessons.exercises): a copy, never the
        sample; it survives a kernel restart; ``reset=True`` restores the starting point."""
        from . import exercises
        ws = exercises.workspace(exercise)
        if reset:
            ws.reset()
        else:
            ws.prepare()
        ws.describe(self.image_set)
        return ws

    def check(self, exercise: str):
        """Build your work folder with the command shown, measure YOUR image, and say what
        is wrong in one line with the next step. Replay: the recorded check of the
        reference solution (nothing is built, and nothing of yours is judged)."""
        from . import exercises
        return exercises.check(exercise, self.source)

    def challenge_targets(self) -> pd.DataFrame:
        from . import challenge
        return self._mark(challenge.targets(self.source.sizes(None,
                                                              challenge.REFERENCE_VARIANT)))

    # ------------------------------------------------------------------ run

    @contextlib.contextmanager
    def running(self, language: str, variant: str, **options):
        """Run a variant the lab's safe way; removed at the end of the block, always."""
        self._need_live("run a container")
        tag = self.tag(language, variant)
        print(_cmd(run.run_command(tag, purpose="notebook", **options)))
        with run.running(self.client, tag, purpose="notebook", **options) as app:
            yield app

    def _need_live(self, what: str) -> None:
        if not self.live:
            raise LabError(f"cannot {what} in replay mode", "this cell needs a Docker engine")

    def cleanup(self) -> None:
        """Remove what this session made (lessons.session): its containers, its work images,
        its temporary folder. Other sessions' things and the shared images stay."""
        sid = session.current()
        if not self.live:
            shutil.rmtree(session.tmp_path(sid), ignore_errors=True)
            print("replay mode: no container or image to remove; this session's temporary "
                  "folder is gone")
            return
        from .cleanup import clean_session
        print(f"$ docker rm -f $(docker ps -aq --filter label={labels.SESSION}={sid}) "
              f"$(docker ps -aq --filter label={labels.CONTAINER}=true --filter name=-{sid})"
              f"\n$ docker image rm $(docker image ls --format '{{{{.Repository}}}}:{{{{.Tag}}}}' "
              f"'sizedrop.invalid/*' | grep -e '-{sid}$')\n$ rm -rf {session.tmp_path(sid)}")
        report = clean_session(self.client, sid)
        done = [f"{len(v)} {k} ({', '.join(v)})" for k, v in report.items() if v]
        print(f"session {sid}: removed " + ("; ".join(done) if done else "nothing")
              + "; other sessions' containers and the shared images stay")

    def build_checks(self, dockerfile=None) -> pd.DataFrame:
        """Judge a Dockerfile with BuildKit's build checks (``docker build --check``; hadolint
        where this docker client has none, and in replay), then build it and ask the image
        (lessons.buildchecks). Default: your copy of the demo, work/build-checks/Dockerfile."""
        from pathlib import Path

        from . import buildchecks, exercises
        path = Path(dockerfile) if dockerfile else buildchecks.work_file(exercises.work_root())
        return buildchecks.verify(self.client if self.live else None, self.image_set, path)

    def hint(self, exercise: str) -> None:
        """What your last check of an exercise said to look at (graded: a second different
        failed attempt also names the instruction)."""
        from . import exercises
        print(exercises.hint(exercise))

    def solution(self, exercise: str) -> None:
        """The reference solution, once your check failed on two different attempts (logged
        in the work folder's progress.jsonl); before that, what to do next."""
        from . import exercises
        print(exercises.solution(exercise, self.source))

    def check_run(self, goal: str) -> None:
        """Judge the container or image YOUR docker command made for ``goal`` (lessons.goals):
        the engine's state, requirement by requirement, in words. Replay: says it cannot."""
        from . import goals
        goals.check(goal, self.client if self.live else None)


def pull_seconds(df: pd.DataFrame, mbit_per_s, nodes: int = 1,
                 registry_mbit: float | None = None) -> pd.DataFrame:
    """Seconds to download each image's compressed layers at ``mbit_per_s`` (a number or a
    list), for ``nodes`` nodes pulling at once through a registry link of ``registry_mbit``
    (shared; None = unlimited). Pure arithmetic on measured sizes: 1 MB = 8 Mbit."""
    need_table(df, "pull_seconds")
    speeds = [mbit_per_s] if isinstance(mbit_per_s, (int, float)) else list(mbit_per_s)
    _positive("pull_seconds", *speeds, nodes, *([registry_mbit] if registry_mbit else []))
    rows = []
    for _, r in df.iterrows():
        row = {"language": r["language"], "variant": r["variant"],
               "compressed_mb": r["compressed_mb"]}
        for s in speeds:
            per_node = s if registry_mbit is None else min(s, registry_mbit / nodes)
            row[f"{s:g} Mbit/s"] = round(r["compressed_mb"] * 8 / per_node, 1)
        rows.append(row)
    return keep_provenance(pd.DataFrame(rows), df)


# Columns that say where a table's figures come from; a table shows them in its caption.
PROVENANCE_COLUMNS = ("source", "image_set", "engine_version", "storage_driver",
                      "architecture", "date")


def provenance(df: pd.DataFrame) -> dict:
    """Where ``df``'s figures come from: what ``columns`` (and the other helpers here) kept in
    ``df.attrs``, or else the provenance columns of its first row. {} when it does not say."""
    kept = need_table(df, "provenance").attrs.get("provenance")
    if kept:
        return dict(kept)
    if "source" not in df.columns or not len(df):
        return {}
    row = df.iloc[0]
    return {k: str(row[k]) for k in PROVENANCE_COLUMNS
            if k in df.columns and pd.notna(row[k]) and str(row[k])}


def keep_provenance(out: pd.DataFrame, df: pd.DataFrame) -> pd.DataFrame:
    """``out``, a table made from ``df``, marked with ``df``'s provenance."""
    where = provenance(df)
    if where:
        out.attrs["provenance"] = where
    return out


def provenance_text(where: dict) -> str:
    """'local image set, Docker 26.1.5, measured live 2026-12-02', or '..., recorded
    2026-11-29 (replayed)'; "" when the source is unknown."""
    src = where.get("source", "")
    if not src:
        return ""
    parts = []
    if where.get("image_set"):
        parts.append(f"{where['image_set']} image set")
    if where.get("engine_version"):
        parts.append(f"Docker {where['engine_version']}")
    parts.append(f"measured live {where.get('date', '')}".strip() if src == "live"
                 else f"{src} (replayed)")
    return ", ".join(parts)


def _positive(what: str, *values) -> None:
    """Speeds and counts are positive numbers: one line if one is not."""
    bad = [v for v in values if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0]
    if bad:
        raise LabError(f"{what}: {bad[0]!r} is not a positive number",
                       "speeds are Mbit/s and node counts whole numbers, all above 0")


def _decimals(values: pd.Series, most: int = 4) -> int:
    """How many decimals a float column needs to show what it holds (1 to ``most``)."""
    needed = 1
    for v in values.dropna():
        text = f"{float(v):.{most}f}".rstrip("0")
        needed = max(needed, len(text.split(".", 1)[1]) if "." in text else 0)
    return needed


def show(df: pd.DataFrame, caption: str = ""):
    """A table with its provenance in the caption (image set, engine and date; live, or
    recorded and replayed), whichever columns it kept. No index; each float column with as
    many decimals as its values have (at most 4)."""
    need_table(df, "show")
    where = provenance_text(provenance(df))
    if where and where not in caption:
        caption = f"{caption}; {where}" if caption else where
    if where:   # the caption says it; the columns would only repeat it on every row
        df = df.drop(columns=[c for c in PROVENANCE_COLUMNS
                              if c in df.columns and df[c].nunique(dropna=False) <= 1])
    formats = {c: f"{{:.{_decimals(df[c])}f}}" for c in df.columns
               if pd.api.types.is_float_dtype(df[c])}
    styled = df.style.format(formats, na_rep="").hide(axis="index")
    return styled.set_caption(caption) if caption else styled


def columns(df: pd.DataFrame, names: Iterable[str]) -> pd.DataFrame:
    """The columns ``names`` of ``df``, in that order, keeping where the figures come from
    (for ``show``'s caption). A name the table does not have is an error, not a silent gap."""
    need_table(df, "columns")
    names = [names] if isinstance(names, str) else list(names)
    missing = [n for n in names if n not in df.columns]
    if missing:
        have = ", ".join(map(str, df.columns))
        if provenance(df).get("source", "").startswith("recorded"):
            hint = (f"the recorded run is older than this notebook (its table has: {have}); "
                    "re-record it with `python -m lessons record`")
        else:
            hint = f"this table has: {have}"
        raise LabError(f"no column {', '.join(missing)} in this table", hint)
    return keep_provenance(df[names].copy(), df)


def smallest(df: pd.DataFrame, column: str = "uncompressed_mb") -> pd.DataFrame:
    """Per language, the variant(s) with the smallest value; ties (equal after the table's
    rounding) are all kept, so a tie is reported as a tie."""
    columns(df, ["language", "variant", column])
    out = []
    for lang, sub in df.groupby("language", sort=False):
        best = sub[column].min()
        out.append({"language": lang, "smallest": " = ".join(sub[sub[column] == best]
                                                            ["variant"]), column: best})
    return keep_provenance(pd.DataFrame(out), df)


def plot_fleet(df: pd.DataFrame, nodes=(1, 5, 10, 25, 50, 100), node_mbit: float = 1000,
               registry_mbit: float = 10000, language: str | None = None):
    """Seconds until every node of a fleet has pulled the image (all nodes start together and
    share the registry's uplink), per variant; computed from measured compressed sizes."""
    import matplotlib.pyplot as plt

    columns(df, ["language", "variant", "compressed_mb"])
    _positive("nodes", *nodes, node_mbit, registry_mbit)
    if language is not None:
        catalog.variants(language)
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


__all__ = ["Lab", "verdict", "show", "columns", "smallest", "pull_seconds", "plot_fleet",
           "select", "provenance"]

# What a learner calls, for the one-line message when an argument is wrong (lessons.cells).
HELPERS = set(__all__) | {f"Lab.{name}" for name in dir(Lab) if not name.startswith("_")}
