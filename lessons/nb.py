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
import shlex
from pathlib import Path

import pandas as pd

from . import (buildchecks, buildcost, catalog, cells, challenge, display, engine, exercises,
               explorer, goals, imagesets, kernelenv, plots, probes, run, session, sources,
               transcripts)
from . import lab as verbs
from . import provenance as slsa
from .cells import need_table
from .compare import ready_image_set
from .errors import LabError
from .platforms import requested, resolve
from .sources import LiveSource, Source, select
from .tables import columns, plot_fleet, provenance, pull_seconds, show, smallest


def verdict(ok, what: str, hint: str = "") -> None:
    """A warm-up question's answer: PASS or FAIL in one line (no exception)."""
    if ok is None:
        print(f"NOT ANSWERED YET: {what}")
        return
    print(("PASS: " if ok else "FAIL: ") + what + ("" if ok or not hint else f" (hint: {hint})"))


def _probe_name(name: str) -> None:
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
        ip = display.ipython()
        if ip is not None:
            cells.install(ip, HELPERS)
        try:
            client = engine.connect()
        except LabError as err:
            source, reason = sources.recorded(), err.message
        else:
            target = resolve(client) if requested() else None   # $LESSONS_PLATFORM
            source, reason = LiveSource(client, ready_image_set(client, target=target),
                                        target), ""
        lab = cls(source, notebook)
        if not quiet:
            source.announce(reason)
        kernelenv.set_up(source.client, source.image_set, kernelenv.teller(notebook),
                         announce=not quiet)
        mode, label = source.transcripts()
        if ip is not None and notebook and mode:
            transcripts.install(ip, mode, notebook, label)
        return lab

    def exports(self) -> None:
        """Print the ``export NAME=value`` lines that give a terminal the build args this
        kernel has, so the notebooks' ``docker build`` commands work there too."""
        kernelenv.print_exports()

    def build_env(self) -> pd.DataFrame:
        """The build args this kernel's environment holds for ``docker build --build-arg``."""
        return kernelenv.table()

    @property
    def live(self) -> bool:
        return self.source.live

    @property
    def mode(self) -> str:
        return self.source.mode

    @property
    def image_set(self) -> str:
        return self.source.image_set

    @property
    def client(self):
        return self.source.client

    def _mark(self, df: pd.DataFrame) -> pd.DataFrame:
        return self.source.mark(df)

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
        return self.source.target

    def tag(self, language: str, variant: str) -> str:
        return self.variant(language, variant).tag(self.image_set, self._target)

    def image(self, arg: str) -> str:
        """The name of a base image in this image set, by its build-arg name
        (``lab.image("BUSYBOX_IMAGE")``)."""
        return imagesets.name_in(self.image_set, arg)

    def recorded_table(self, name: str) -> pd.DataFrame:
        """A table only a recorded run has (it needed more than one engine, say), labelled
        recorded whatever the mode."""
        return sources.recorded().table(name)

    def arm64_sizes(self) -> pd.DataFrame:
        """Every image's size on linux/arm64 beside amd64, both from recorded runs whatever
        the mode: the arm64 run of ``python benchmarks/arm64.py`` (lessons/recorded/arm64;
        under emulation on an amd64 machine it takes most of an hour) and the series' recorded
        amd64 run. Prints where each column comes from."""
        return sources.arm64_beside_amd64(kernelenv.teller(self.notebook))

    # ------------------------------------------------------------------ build

    def build(self, language: str, variant: str, *, nocache: bool = False, quiet=False,
              log: bool = False):
        """Build one variant with a progress bar; prints the command it runs. ``log=True``
        also prints BuildKit's own log."""
        v = self.variant(language, variant)
        print(_cmd(self.command(language, variant, nocache)))
        return self.source.build(v, nocache, quiet, log)

    def build_all(self, languages=None, variants=None) -> None:
        """Every variant (or the ones named) in one ``docker buildx bake`` of the repository's
        docker-bake.hcl; prints the command, which a terminal at the repository's root runs
        as it is. Without buildx, or for another platform, one build at a time."""
        todo = catalog.variants(languages, variants)
        if self.source.bakes():
            self.source.bake(todo)
            return
        for v in todo:
            self.build(v.language, v.variant)

    # ------------------------------------------------------------------ measure

    def sizes(self, languages=None, variants=None) -> pd.DataFrame:
        """Size table (live: measured now from `docker save`; replay: recorded)."""
        catalog.variants(languages, variants)
        self.source.stands_for("$ docker save IMAGE   # for each image: every layer tar "
                               "summed, and gzipped (-6) for the compressed size")
        return self._mark(self.source.sizes(languages, variants))

    def plot_sizes(self, df: pd.DataFrame, log: bool = False, compressed: bool = True):
        return plots.size_drop(need_table(df, "lab.plot_sizes"), log=log,
                               compressed=compressed)

    def attack_surface(self, languages=None, variants=None) -> pd.DataFrame:
        """What each image carries: files, shells, package managers, compilers, user..."""
        catalog.variants(languages, variants)
        self.source.stands_for("$ docker create --name x IMAGE && docker export x | tar -tv "
                               "&& docker rm x   # for each image: its files, read without "
                               "starting it")
        return self._mark(self.source.attack_surface(languages, variants))

    def provenance(self, language: str, variant: str) -> pd.DataFrame | None:
        """Build one image with ``--provenance=mode=max`` and read the SLSA statement BuildKit
        attached to it (lessons.provenance): prints who built it from which Dockerfile with
        which build args, and returns the materials (base images and their digests)."""
        why_not = self.source.without_attestations()
        if why_not:
            print("Provenance needs a live engine with the containerd image store (Docker "
                  "Desktop, or Engine with \"containerd-snapshotter\" on in daemon.json); "
                  + why_not)
            return None
        tag = session.named(f"sizedrop.invalid/work:05-provenance-{language}-{variant}")
        return self._mark(slsa.shown(self.client, self.variant(language, variant),
                                           self.image_set, tag))

    def sbom(self, languages=None, variants=None) -> pd.DataFrame | None:
        """An SBOM of every image, made from what it holds (lessons.sbom, CycloneDX): files,
        packages and SBOM components per image, and what the SBOM cannot see."""
        df = self.source.sbom(catalog.variants(languages, variants))
        return None if df is None else self._mark(df)

    def layers(self, language: str, variant: str) -> pd.DataFrame:
        """One row per layer: instruction, sizes, files added/changed/removed; the image's
        efficiency and wasted MB repeated on every row."""
        return self._mark(self.source.layers(language, variant))

    def image_layers(self, image: str) -> pd.DataFrame:
        """The layer table of any local image (``layers`` is for the series' own). In replay
        mode only the demo images the recorded run built (``lessons.record.DEMO_LAYERS``)."""
        print(f"$ docker save {image}   # every layer read, files and sizes")
        return self._mark(self.source.image_layers(image))

    def try_shell(self, language: str, variant: str) -> str:
        return self.probe("shell", language, variant)

    def probe(self, name: str, language: str, variant: str, show: bool = True) -> str:
        """One experiment (lessons.probes.PROBES) on an image: run live, or the recorded
        outcome in replay (prefixed with its label). Prints the commands it stands for."""
        _probe_name(name)
        catalog.variant(language, variant)
        if show:
            print(probes.COMMANDS[name](self.tag(language, variant)))
        return self.source.probe(name, language, variant)

    def probes(self, name: str, languages=None, variants=None) -> pd.DataFrame:
        """The same probe on several images, as a table."""
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
        self.source.stands_for("$ docker run -d ... IMAGE; until curl answers /healthz; docker "
                               "stats --no-stream; (a burst of requests); docker stats "
                               "--no-stream; time docker stop   # for each image")
        return self._mark(self.source.runtime(languages, variants, runs))

    def build_cost(self, language: str, variant: str, dockerfile=None) -> pd.DataFrame:
        """A cold build (empty cache) then a warm rebuild after a one-line source change, in a
        copy of the app folder (lessons.buildcost). Replay: the recorded row."""
        v = self.variant(language, variant)
        buildcost.print_commands(v, self.image_set, self.client, dockerfile)
        bar = self.source.progress(f"cold and warm builds of {v} (edits "
                                   f"{buildcost.SOURCE_FILE[language]})")
        df = self.source.build_cost(language, variant, dockerfile)
        r = df.iloc[0]
        bar.done(f"cold {r['cold_s']} s, warm {r['warm_s']} s")
        return self._mark(df)

    def explore(self, language: str = "go", variant: str = "single-stage"):
        """The interactive image explorer (lessons.explorer); returns the widget."""
        catalog.variant(language, variant)
        return explorer.explore(self.source, language, variant,
                                command=lambda lang, var: self.command(lang, var))

    # ------------------------------------------------------------------ hands-on

    def workspace(self, exercise: str, reset: bool = False):
        """Your own work folder for an exercise (lessons.exercises): a copy, never the
        sample; it survives a kernel restart; ``reset=True`` restores the starting point."""
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
        return exercises.check(exercise, self.source)

    def challenge_targets(self) -> pd.DataFrame:
        """Notebook 07's targets, as committed (lessons.challenge.TARGETS): measured on the
        reference images by an instructor's run, whose engine, image set and date each row
        names. Nothing is built here, live or in replay."""
        return challenge.targets()

    # ------------------------------------------------------------------ run

    @contextlib.contextmanager
    def running(self, language: str, variant: str, **options):
        """Run a variant the lab's safe way; removed at the end of the block, always."""
        tag = self.tag(language, variant)
        print(_cmd(run.run_command(tag, purpose="notebook", **options)))
        with self.source.running(tag, **options) as app:
            yield app

    def cleanup(self) -> None:
        """Remove what this session made (lessons.session): its containers, its work images,
        its temporary folder. Other sessions' things and the shared images stay."""
        self.source.cleanup(session.current())

    def build_checks(self, dockerfile=None) -> pd.DataFrame:
        """Judge a Dockerfile with BuildKit's build checks (``docker build --check``; hadolint
        where this docker client has none, and in replay), then build it and ask the image
        (lessons.buildchecks). Default: your copy of the demo, work/build-checks/Dockerfile."""
        path = Path(dockerfile) if dockerfile else buildchecks.work_file(exercises.work_root())
        return buildchecks.verify(self.client, self.image_set, path)

    def hint(self, exercise: str) -> None:
        """What your last check of an exercise said to look at (graded: a second different
        failed attempt also names the instruction)."""
        print(exercises.hint(exercise))

    def solution(self, exercise: str) -> None:
        """The reference solution, once your check failed on two different attempts (logged
        in the work folder's progress.jsonl); before that, what to do next."""
        print(exercises.solution(exercise, self.source))

    def check_run(self, goal: str) -> None:
        """Judge the container or image YOUR docker command made for ``goal`` (lessons.goals):
        the engine's state, requirement by requirement, in words. Replay: says it cannot."""
        goals.check(goal, self.client)


__all__ = ["Lab", "verdict", "show", "columns", "smallest", "pull_seconds", "plot_fleet",
           "select", "provenance"]

# What a learner calls, for the one-line message when an argument is wrong (lessons.cells).
HELPERS = set(__all__) | {f"Lab.{name}" for name in dir(Lab) if not name.startswith("_")}
