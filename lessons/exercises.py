"""Hands-on exercises: a work folder of your own, the command that builds it, and a check that
measures YOUR image and names what is wrong in one line, with the next step.

* ``workspace(id)`` is ``work/<id>/`` at the top of the repository (``LESSONS_WORK`` moves it):
  a copy of the sample app plus the exercise's starting files, never the sample itself. It
  survives a kernel restart; ``reset()`` restores the starting point.
* ``check(id, source)`` builds the folder with the command the notebook shows (the cache makes
  that quick when you have just built it), then measures the image: does it build, answer the
  contract under the lab's safe defaults, run as non-root, lack a shell, stay under a size,
  waste no bytes, reuse the cache, report healthy... whatever the exercise is about.
* Hints are graded: a failed check says what to look at; once a DIFFERENT attempt has failed
  too, it also says which instruction. No check prints the reference's lines: those open with
  ``solution(id)`` after two different failed attempts (lessons.progress logs every check and
  every reveal in the work root).
* Replay (no engine): nothing of yours is built or judged; the check shows the recorded check
  of the reference solution and says so.

Starting points live in ``notebooks/exercises/<id>/start/`` (06's and 07's start from a transfer
service's fat Dockerfile, ``notebooks/transfer/``). The reference solutions and a typical
mistake of each exercise are NOT in the learner's tree: ``instructor/solutions/<id>/`` and
``instructor/mistakes/<id>/`` (with a second mistake of another kind in its ``second/``).
"""

from __future__ import annotations

import gzip
import io
import os
import random
import shutil
import tarfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import (build, buildchecks, catalog, challenge, engine, goals, imagesets, inventory,
               labels, progress, run, session, sizes, transfer)
from .errors import EXPECTED, BuildFailed, EngineUnavailable, LabError, NeverHealthy, explain

EXERCISES_DIR = catalog.REPO_ROOT / "notebooks" / "exercises"
SOLUTIONS_DIR = catalog.REPO_ROOT / "instructor" / "solutions"
MISTAKES_DIR = catalog.REPO_ROOT / "instructor" / "mistakes"
PIP_ARGS = ("PIP_NO_INDEX", "PIP_FIND_LINKS")
SECOND = "second"   # instructor/mistakes/<id>/second/: another typical mistake, of another kind


work_root = progress.work_root


# ----------------------------------------------------------------------------- exercises


@dataclass(frozen=True)
class Exercise:
    id: str
    notebook: str
    title: str
    app: str | None                 # the sample app copied into the folder (a language)
    dockerignore: bool = True       # copy the sample's .dockerignore too
    generate: str = ""              # extra files made when the folder is prepared
    start_file: Path | None = None  # the starting Dockerfile when not in start/
    service: str = ""               # a transfer service (lessons.transfer) instead of a sample

    def files(self, which: str) -> Path:
        """The folder (or file) of ``start``, ``solution``, ``mistake`` or ``second`` files
        (a second typical mistake, of another kind, kept in the first's folder); all but the
        first are instructor material, outside the learner's tree."""
        solution = (SOLUTIONS_DIR.parent / "transfer" / f"{self.service}.dockerfile"
                    if self.service else SOLUTIONS_DIR / self.id)
        return {"start": EXERCISES_DIR / self.id / "start", "solution": solution,
                "mistake": MISTAKES_DIR / self.id,
                "second": MISTAKES_DIR / self.id / SECOND}[which]


def _challenge(language: str) -> Exercise:
    svc = challenge.service(language)
    return Exercise(f"07-challenge-{language}", "07-workshop-challenge",
                    f"slim the {svc.name} service ({language}) below its measured target",
                    None, service=svc.name, start_file=svc.fat_dockerfile)


EXERCISES: dict[str, Exercise] = {e.id: e for e in [
    Exercise("01-dockerignore", "01-single-stage",
             "keep the build context (and the image) free of what the build does not need",
             "go", dockerignore=False, generate="junk"),
    Exercise("02-layer-order", "02-multi-stage",
             "reorder the Dockerfile so a source-only change reuses the dependency layer",
             "python"),
    Exercise("03-distroless-health", "03-distroless",
             "move the image to distroless and keep its health check working", "go"),
    Exercise("04-strip-binary", "04-the-size-drop",
             "drop the symbol table and debug information from the Go binary", "go"),
    Exercise("05-wasted-bytes", "05-inside-the-image",
             "ship the unpacked files without the archive's bytes", None, generate="assets"),
    Exercise("06-scratch", "06-going-further",
             "ship the go-clock service on scratch, with everything it reads from the machine",
             None, service="go-clock",
             start_file=transfer.get("go-clock").fat_dockerfile),
    _challenge("go"), _challenge("java"), _challenge("python"),
]}


def get(exercise_id: str) -> Exercise:
    try:
        return EXERCISES[exercise_id]
    except KeyError:
        raise LabError(f"no exercise called {exercise_id!r}",
                       "one of: " + ", ".join(EXERCISES)) from None


# ----------------------------------------------------------------------------- work folders


class Workspace:
    """``work/<id>/``: your copy to edit, build and check."""

    def __init__(self, exercise: Exercise, root: Path | None = None):
        self.exercise = exercise
        self.path = Path(root or work_root()) / exercise.id

    @property
    def dockerfile(self) -> Path:
        return self.path / "Dockerfile"

    @property
    def tag(self) -> str:
        """This session's name for the image (lessons.session): two learners, or two
        notebooks, on one engine never build over each other's."""
        return f"sizedrop.invalid/work:{session.named(self.exercise.id)}"

    def prepare(self) -> "Workspace":
        """Create the folder with the starting point, unless it exists (your edits stay)."""
        if not self.dockerfile.exists():
            self.reset()
        return self

    def reset(self) -> "Workspace":
        """Back to the starting point (your edits in this folder are replaced)."""
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        ex = self.exercise
        if ex.app or ex.service:
            src = transfer.get(ex.service).folder if ex.service else catalog.SAMPLE_APPS / ex.app
            ignore = shutil.ignore_patterns("*.dockerfile", "__pycache__", "*.pyc",
                                            *([] if ex.dockerignore else [".dockerignore"]))
            shutil.copytree(src, self.path, ignore=ignore, dirs_exist_ok=True)
        if ex.start_file:
            shutil.copy(ex.start_file, self.dockerfile)
        else:
            self.apply(ex.files("start"))
        if ex.generate:
            GENERATORS[ex.generate](self.path)
        return self

    def apply(self, folder: Path) -> "Workspace":
        """Copy every file of ``folder`` over the work folder (a solution, or a mistake; a
        mistake's ``second/`` is not part of it)."""
        folder = Path(folder)
        if folder.is_file():
            shutil.copy(folder, self.dockerfile)
            return self
        for f in folder.rglob("*"):
            if f.is_file() and f.relative_to(folder).parts[0] != SECOND:
                target = self.path / f.relative_to(folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(f, target)
        return self

    def build_args(self) -> list[str]:
        """The build args the command passes, by name only: their values come from the
        environment ``Lab.start`` set (the local lookalikes' names, pip's offline settings),
        and a name that is unset there is left out, so the Dockerfile's default applies. The
        command is therefore the same text on every machine."""
        declared = imagesets.declared_args(self.dockerfile)
        names = [b.arg for b in imagesets.BASE_IMAGES if b.arg in declared]
        names += [n for n in PIP_ARGS if n in declared]
        return names

    def command(self, progress: bool = False, cwd: Path | None = None) -> list[str]:
        """``docker build`` for this folder, as you type it (paths relative to ``cwd``)."""
        argv = ["docker", "build"] + (["--progress=plain"] if progress else [])
        for name in self.build_args():
            argv += ["--build-arg", name]
        argv += ["--label", f"{labels.MANAGED}=true", "-t", self.tag,
                 build._shown_path(self.path, Path(cwd or os.getcwd()))]
        return argv

    def describe(self, image_set: str = "") -> None:
        import shlex
        rel = build._shown_path(self.path, Path(os.getcwd()))
        print(f"Your work folder: {rel}/ (a copy; the sample is never touched).")
        if self.exercise.id == "01-dockerignore":
            print(f"Add {rel}/.dockerignore (leave the Dockerfile as it is)", end="")
        else:
            print(f"Edit {rel}/Dockerfile", end="")
        print("; `lab.workspace(..., reset=True)` restores the starting point.")
        print("Build it with:\n  " + shlex.join(self.command()))

    def sync_wheels(self) -> None:
        """Copy the host-downloaded Python wheels in, when the lab has some (offline pip)."""
        src = catalog.SAMPLE_APPS / "python" / "wheels"
        dst = self.path / "wheels"
        if self.exercise.app == "python" and src.is_dir():
            dst.mkdir(exist_ok=True)
            for f in src.glob("*.whl"):
                if not (dst / f.name).exists():
                    shutil.copy(f, dst / f.name)


def workspace(exercise_id: str, root: Path | None = None) -> Workspace:
    return Workspace(get(exercise_id), root)


def _random_bytes(seed: str, n: int) -> bytes:
    return random.Random(seed).randbytes(n)


def _junk(path: Path) -> None:
    """What often sits next to a Dockerfile: a recording, an old local build, a release
    archive."""
    for rel, mb in (("notes/lecture-recording.wav", 20), ("local-build/server", 9),
                    ("dist/server-0.9.tar.gz", 5)):
        f = path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(_random_bytes(rel, mb * 1_000_000))
    (path / "notes" / "todo.md").write_text("- ask about the cache\n")


ASSET_BYTES = 6_000_000


def _assets(path: Path) -> None:
    """assets.tar.gz: a 6 MB data file (random, so gzip cannot shrink it) and a README."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in (("maps.bin", _random_bytes("maps", ASSET_BYTES)),
                           ("README.txt", b"Map tiles for the demo.\n")):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), 1767225600, 0o644
            tar.addfile(info, io.BytesIO(data))
    (path / "assets.tar.gz").write_bytes(gzip.compress(buf.getvalue(), mtime=0))


GENERATORS: dict[str, Callable[[Path], None]] = {"junk": _junk, "assets": _assets}


# ----------------------------------------------------------------------------- results


@dataclass
class Result:
    exercise: str
    items: list[tuple[str, bool, str]] = field(default_factory=list)
    reason: str = ""        # the first thing that is wrong, in one line
    next_step: str = ""
    command: str = ""       # the build command the check ran
    figures: dict = field(default_factory=dict)
    source: str = "live"

    @property
    def passed(self) -> bool:
        return bool(self.items) and all(ok for _, ok, _ in self.items)

    more: bool = False      # a different attempt failed before: say which instruction too
    help: str = ""          # where to get more (lab.hint / lab.solution), after a failure

    def add(self, name: str, ok: bool, detail: str, reason: str = "", look: str = "",
            which: str = ""):
        """One check item. ``look`` says what to look at; ``which``, the instruction to change,
        is added once a different attempt of this exercise has failed too. Neither is ever
        the reference's line."""
        self.items.append((name, ok, detail))
        if not ok and not self.reason:
            self.reason = reason or f"{name}: {detail}"
            self.next_step = look
            if which and self.more:
                self.next_step = f"{look}\n  which instruction: {which}" if look else which
        return ok

    @property
    def judged(self) -> bool:
        """Did this check look at the learner's own image? (A recorded one never does.)"""
        return self.source == "live"

    def headline(self) -> str:
        if not self.judged:
            return (f"NOT JUDGED: {self.exercise}: no Docker engine here, so nothing of yours "
                    "was built or checked.\nFor comparison only, what the check said of the "
                    f"REFERENCE SOLUTION in the recorded run ({self.source}):")
        if self.passed:
            return f"PASS: {self.exercise}"
        return f"FAIL: {self.reason}" + (f"\n  next step: {self.next_step}"
                                         if self.next_step else "") + (
            f"\n  {self.help}" if self.help else "")

    def report(self) -> str:
        lines = [self.headline()]
        mark = "  reference " if not self.judged else "  "
        if self.command:
            lines.append(f"{mark}built with: {self.command}")
        for name, ok, detail in self.items:
            lines.append(f"{mark}[{'x' if ok else ' '}] {name}: {detail}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        verdict = "not judged (replay)" if not self.judged else \
            ("PASS" if self.passed else "FAIL")
        return f"<check {self.exercise}: {verdict}>"


# ----------------------------------------------------------------------------- graded hints

GUIDE_USER = ("the image runs as root: look at what the final stage says about its user",
              "a USER instruction after the last FROM, with a numeric id (the distroless "
              "images' nonroot user has one; notebook 03 shows it)")

# What a failed check item says, as (what to look at, which instruction). The first failed
# attempt gets the first; a second, different failed attempt gets both. Neither is ever a line
# of the reference solution (tests/unit/test_answers.py holds them to that).
GUIDE: dict[str, tuple[str, str]] = {
    "context": ("look at what sits next to the Dockerfile in the work folder, and at what "
                "decides which of those files `docker build` sends",
                ".dockerignore in the work folder (the Dockerfile stays as it is); the safest "
                "list names what the build DOES read, so new files stay out by default"),
    "context-excluded": ("the Dockerfile is the starting one, which builds: what does your "
                         ".dockerignore leave out that the build reads?",
                         ".dockerignore: a path it excludes is not sent, so `COPY . .` cannot "
                         "copy it; let back in the files `go build` compiles"),
    "junk": ("the junk reached the image through the build context and `COPY . .`",
             ".dockerignore: a path it excludes is neither sent nor copied"),
    "no-pip": ("the dependencies are no longer installed: keep the step that installs them", ""),
    "pip-cache": ("a COPY whose files changed invalidates every step after it: which files does "
                  "the pip install step read, and what is copied before it?",
                  "the COPY instructions above the `pip install` RUN: one of them copies files "
                  "the install never reads"),
    "shell": ("the final image holds a shell, so it is not distroless: look at which image "
              "the final stage starts from",
              "the last FROM: the ARGs at the top of the Dockerfile name a base with no shell"),
    "non-root": GUIDE_USER,
    "health-shell": ("the engine's health check cannot run in this image: read the health "
                     "log output, and ask what that check needs that the image lacks",
                     "the HEALTHCHECK instruction: written as plain text the engine runs it "
                     "with /bin/sh -c; written as a JSON list it runs the program itself"),
    "health-none": ("the image declares no health check, so the engine has nothing to judge",
                    "a HEALTHCHECK instruction in the final stage, in the form that needs no "
                    "shell; the app has a health-check mode of its own (notebook 03)"),
    "health": ("read the health log output: the engine ran the image's check and it failed",
               "the HEALTHCHECK instruction and the program it runs"),
    "binary": ("the server binary is missing: keep copying it from the build stage", ""),
    "strip": ("the binary carries a symbol table and debug information that nothing reads at "
              "run time: look at how the build stage links it",
              "the RUN with `go build`: `go tool link -help` (in the Go image) lists the "
              "linker flags that omit the symbol table and the DWARF data; -ldflags passes "
              "linker flags"),
    "unpacked": ("the unpacked files must still end up in /opt/assets", ""),
    "waste": ("a file that a layer adds cannot be removed by a later layer, whatever the RUN: "
              "look at which layer first holds the archive (`docker history` on your image)",
              "the instruction that brings assets.tar.gz into the image: the archive must never "
              "be a layer of what ships (a stage whose result you copy, as in notebook 02, or "
              "an instruction that unpacks a local archive by itself)"),
    "waste-moved": ("a file that a layer adds stays in that layer when a later one moves or "
                    "deletes it: look at the layers the wasted files are listed in",
                    "the instruction that first writes those files: they must land where they "
                    "stay in that same step, and nothing later may touch them"),
    "scratch": ("the runtime stage starts from a base image; this variant has none at all",
                "the last FROM: the empty image has a reserved name (notebook 06)"),
    "static": ("the binary asks for a dynamic loader, which an empty image lacks: look at how "
               "the build stage compiles it (the top of notebook 06 shows why)",
               "the build stage's environment: the Go setting that turns cgo off"),
    "behaviour: image user": GUIDE_USER,
    "behaviour: process user": GUIDE_USER,
    "behaviour: engine health verdict": (
        "the engine did not call it healthy: read why (no health check declared, or the "
        "check's own output)", "the HEALTHCHECK instruction: it must exist, and what it runs "
        "must be in the image and need no shell; the service has a health-check mode"),
    "behaviour: no shell": ("the image holds a shell: look at what the final stage starts "
                            "from and what it copies in", "the last FROM and its COPY lines"),
    "behaviour: starts on a read-only root": (
        "it did not start, or stopped at once, on a read-only root: read the engine's error "
        "and the service's last output", "the ENTRYPOINT, and what the program it names needs "
        "from the image (a loader, a library, a folder it writes)"),
    "behaviour: keeps running": (
        "it stopped while it was being checked: read its last output",
        "what the service reads from the machine at start-up (read its source)"),
    "behaviour: app cases": (
        "the service answers, but not as it does in the fat image: the failed case says what "
        "it was asked; read the source for what that request needs from the machine",
        "the COPY lines of the final stage: what the fat image had (files the service reads "
        "at run time) that yours lacks"),
    "job": ("the image's command must list the unpacked files and end: read its output "
            "(`docker run --rm` on your image)", "the CMD of the final stage"),
    "behaviour: stops on SIGTERM": (
        "`docker stop` sends SIGTERM to PID 1: look at which process that is in your image",
        "the ENTRYPOINT: in exec form (a JSON list) the service itself is PID 1 and gets the "
        "signal"),
    "shell-form": ("look at how ENTRYPOINT, CMD and HEALTHCHECK are written: the image has no "
                   "shell to run them", "those instructions, written as JSON lists (exec form)"),
}


# ----------------------------------------------------------------------------- checking


def check(exercise_id: str, source, root: Path | None = None, quiet: bool = False) -> Result:
    """Build the work folder with the command shown, measure the image, print the verdict."""
    ex = get(exercise_id)
    if not source.live:
        res = recorded_check(exercise_id, source)
        progress.append(Path(root or work_root()), "check", ex.id, source="replay", passed=None,
                        attempt=None)
        if not quiet:
            print(res.report())
        return res
    ws = Workspace(ex, root).prepare()
    log = ws.path.parent
    attempt = progress.attempt_hash(ws.path)
    before = progress.failed_attempts(log, ex.id)
    res = Result(ex.id, more=any(h != attempt for h in before))
    try:
        CHECKS[_kind(ex.id)](source, ws, res)
    except EngineUnavailable:
        raise   # the engine's trouble, not the learner's work: not a failed attempt
    except LabError as err:
        res.add("check ran", False, err.message, err.message, err.hint)
    except EXPECTED as err:
        raise explain(err, f"checking {ex.id}") from None
    progress.append(log, "check", ex.id, source="live", passed=res.passed, attempt=attempt,
                    reason=res.reason, next_step=res.next_step)
    if not res.passed:
        res.help = _help(ex.id, len(progress.failed_attempts(log, ex.id)))
    if not quiet:
        print(res.report())
    return res


def _help(exercise_id: str, failed: int) -> str:
    need = progress.ATTEMPTS_BEFORE_REVEAL
    if failed >= need:
        return (f"{failed} different attempts have failed: `lab.solution({exercise_id!r})` "
                "shows the reference, if you want it now")
    return (f"different failed attempts so far: {failed} of the {need} after which "
            f"`lab.solution({exercise_id!r})` shows the reference; change your files and check "
            "again (a second different failure also names the instruction to look at)")


def _kind(exercise_id: str) -> str:
    return "07-challenge" if exercise_id.startswith("07-challenge") else exercise_id


def recorded_check(exercise_id: str, source, which: str = "solution") -> Result:
    df = source.checks(exercise_id)
    df = df[df["which"] == which]
    res = Result(exercise_id, source=source.label())
    for _, r in df.iterrows():
        res.items.append((r["item"], bool(r["ok"]), str(r["detail"])))
    if len(df):
        res.reason, res.next_step = str(df.iloc[0]["reason"] or ""), str(
            df.iloc[0]["next_step"] or "")
        res.command = str(df.iloc[0]["command"] or "")
    if not res.items:
        res.add("recorded", False, "this check was not recorded",
                "the recorded run has no check of this exercise",
                "re-record with python -m lessons record")
    return res


def _build(source, ws: Workspace, res: Result, name: str = "builds",
           guide: tuple[str, str] | None = None) -> build.BuildResult | None:
    """Build the work folder; a failure is a failed item whose next step is ``guide`` when
    given (else the build's own hint)."""
    import shlex
    ws.sync_wheels()
    argv = ws.command(progress=True)
    res.command = shlex.join(argv)
    print("$ " + res.command, flush=True)
    try:
        built = build.run_build(source.client, argv, ws.dockerfile, ws.tag)
    except BuildFailed as err:
        res.add(name, False, err.message + "\n" + err.details,
                f"it does not build: {err.message}", *(guide or (err.hint,)))
        return None
    res.add(name, True, f"in {built.seconds:.1f} s, {built.cached_steps} of "
            f"{len(built.steps)} steps from the cache")
    return built


def _answers(source, ws: Workspace, res: Result, language: str) -> bool:
    """Run the image the lab's safe way (read-only, no capabilities, 127.0.0.1) and ask it;
    then, on the same container, the engine's health verdict and the stop (``_runtime``)."""
    try:
        with run.running(source.client, ws.tag, purpose="check", timeout=30) as app:
            health = app.get("/healthz")
            root = app.get("/")
            try:
                lang = root.json().get("language")
            except ValueError:
                lang = None
            ok = health.status == 200 and root.status == 200 and lang == language
            res.add("answers", ok,
                    f"the lab's own HTTP probe (not the image's HEALTHCHECK): "
                    f"/healthz {health.status} after {app.healthy_after:.1f} s, / says "
                    f"language={lang!r}, under the lab's safe defaults",
                    "it starts but does not answer the contract")
            _runtime(source, ws, res, app.container)
            return ok
    except NeverHealthy as err:
        why = _first_line(err.details).removeprefix("engine: ")
        reason = err.message if not why or why[:40] in err.message else f"{err.message}: {why}"
        return res.add("answers", False, err.message + "\n" + err.details, reason, err.hint)


def _first_line(text: str) -> str:
    lines = [t.strip() for t in text.splitlines() if t.strip()]
    return lines[-1][:200] if lines else ""


def _non_root(source, ws: Workspace, res: Result) -> bool:
    user = source.client.images.get(ws.tag).attrs["Config"].get("User") or ""
    ok = user.split(":")[0].strip() not in ("", "0", "root")
    return res.add("runs as non-root", ok, f"USER is {user or 'not set (root)'}",
                   "it runs as root", *GUIDE["non-root"])


def _shells(source, ws: Workspace) -> list[str]:
    return inventory.of_image(source.client, ws.tag).present(inventory.SHELLS)


def _start_declares_health(exercise: Exercise) -> bool:
    """Whether the exercise's starting Dockerfile gives its final stage a HEALTHCHECK."""
    from . import dockerfile

    start = exercise.start_file or exercise.files("start") / "Dockerfile"
    final = dockerfile.parse_stages(start.read_text())[-1]
    checks = [i.text.split()[1:2] for i in final.instructions if i.keyword == "HEALTHCHECK"]
    return bool(checks) and [w.upper() for w in checks[-1]] != ["NONE"]


def _runtime(source, ws: Workspace, res: Result, container, ended: bool = False) -> None:
    """What lessons.behaviour reads of a running image, read on the container the check
    already started: the engine's own health verdict and `docker stop` (SIGTERM: exit 0
    within the process contract's limit). An image with no HEALTHCHECK fails the first only
    when the exercise's starting Dockerfile had one. ``ended``: the container was a job that
    already ran to its end by itself (05), so there is nothing left to stop."""
    from . import behaviour

    found = behaviour.Behaviour(ws.tag, ws.exercise.id)
    health = source.client.images.get(ws.tag).attrs["Config"].get("Healthcheck") or {}
    declared = (health.get("Test") or ["NONE"])[0] != "NONE"
    wanted = _start_declares_health(ws.exercise)
    if not declared and not wanted:
        found.add("engine health verdict", True, "nothing to judge: the image declares no "
                  "HEALTHCHECK, and neither does the exercise's starting Dockerfile")
    elif ended:
        found.add("engine health verdict", not wanted, "no verdict: it ended by itself before "
                  "the engine ran a health check")
    elif behaviour.check_declares_health(found, health):
        behaviour.check_engine_health(found, container, behaviour.HEALTH_TIMEOUT_S)
    if ended:
        state = container.attrs["State"]
        code = state.get("ExitCode")
        found.add("ends with exit 0", code == 0,
                  f"it ran to its end by itself, exit {code}: a job, so `docker stop` (SIGTERM) "
                  "has nothing to stop" if code == 0 else
                  f"it ended by itself with exit code {code}, not 0")
    elif behaviour.check_running(found, container, "keeps running"):
        behaviour.check_stop(found, container, source.client)
    for item in found.items:
        res.add(item.name, item.passed, item.detail, f"{item.name}: {item.detail}",
                *_runtime_guide(item))


def _runtime_guide(item) -> tuple[str, str]:
    if item.name != "engine health verdict":
        return GUIDE.get(f"behaviour: {item.name}", GUIDE["job"])
    if "declares no health check" in item.detail:
        return GUIDE["health-none"]
    if "/bin/sh" in item.detail or "no such file" in item.detail:
        return GUIDE["health-shell"]
    return GUIDE["health"]


# The image of exercise 05 is a job (its command lists the unpacked files and ends), run as
# lessons.behaviour runs a service: read-only root, a tmpfs /tmp, no capabilities.
JOB = transfer.Service("assets-job", "", "/tmp", ())
JOB_SECONDS = 10.0   # ample for `ls`; a service never ends by itself


def _job(source, ws: Workspace, res: Result) -> None:
    """Run the image once; a job must end by itself with exit 0. One that keeps running is
    judged as a service is: the engine's health verdict, and `docker stop` (SIGTERM)."""
    from . import behaviour

    container, refused = behaviour.start(source.client, ws.tag, JOB, session.current())
    try:
        if refused:
            res.add("runs", False, f"the engine could not start it: {refused}",
                    f"the engine could not start it: {refused}", *GUIDE["job"])
            return

        def finished():
            container.reload()
            return container.attrs["State"].get("Status") in ("exited", "dead")
        try:
            engine.wait_until(finished, JOB_SECONDS, 0.2, "the job's end")
        except TimeoutError:
            _runtime(source, ws, res, container)
            return
        _runtime(source, ws, res, container, ended=True)
    finally:
        run.remove(container)


def _layer_ids(client, ref: str) -> list[str]:
    return client.images.get(ref).attrs.get("RootFS", {}).get("Layers", [])


def _base_layers(client, ref: str) -> tuple[str, int]:
    """Which of the lab's base images ``ref`` starts from (the longest one whose layers are
    the first layers of ``ref``), and how many layers that base has."""
    from docker.errors import ImageNotFound

    mine = _layer_ids(client, ref)
    best = ("scratch", 0)
    for b in imagesets.BASE_IMAGES:
        for name in (b.local, b.official):
            try:
                theirs = _layer_ids(client, name)
            except ImageNotFound:
                continue
            if theirs and mine[:len(theirs)] == theirs and len(theirs) > best[1]:
                best = (name, len(theirs))
    return best


# ----------------------------------------------------------------------------- the checks


def _check_dockerignore(source, ws: Workspace, res: Result) -> None:
    # The Dockerfile builds as it starts: if it still does, a failure is the context's doing.
    start = ws.exercise.files("start") / "Dockerfile"
    unchanged = ws.dockerfile.read_text() == start.read_text()
    built = _build(source, ws, res, guide=GUIDE["context-excluded"] if unchanged else None)
    if not built:
        return
    # What the CLI sends is the folder minus what .dockerignore excludes. (BuildKit's own
    # "transferring context" line is no measure of that: on a rebuild of the same folder it
    # sends only the files that changed since the last build.)
    files = _biggest_sent(ws.path)
    sent = sum(n for _, n in files)
    res.figures["context_bytes"] = sent
    big = [(p, n) for p, n in files if n >= 100_000]
    ok = sent <= 1_000_000
    res.add("small build context", ok,
            f"{sent / 1e6:.2f} MB in the context, {len(files)} files"
            + ("" if ok else "; the biggest: " + ", ".join(
                f"{p} ({n / 1e6:.1f} MB)" for p, n in big[:3])),
            f"the build context is still {sent / 1e6:.1f} MB: "
            + ", ".join(f"{p} ({n / 1e6:.1f} MB)" for p, n in big[:2]) + " go to the builder",
            *GUIDE["context"])
    inv = inventory.of_image(source.client, ws.tag)
    junk = sorted({p.split("/")[1] for p in inv.paths if p.startswith("src/")
                   and p.split("/")[1] in ("notes", "local-build", "dist")})
    res.add("no junk in the image", not junk,
            "none" if not junk else "/src/" + ", /src/".join(junk) + " are in the image",
            f"{', '.join(junk)} were copied into the image by `COPY . .`", *GUIDE["junk"])
    _answers(source, ws, res, "go")


def _biggest_sent(folder: Path) -> list[tuple[str, int]]:
    """The files `docker build` sends from ``folder`` (its .dockerignore applied), biggest
    first. docker-py applies the same rules as the CLI."""
    from docker.utils.build import exclude_paths

    rules = []
    ignore = folder / ".dockerignore"
    if ignore.exists():
        rules = [x.strip() for x in ignore.read_text().splitlines()
                 if x.strip() and not x.strip().startswith("#")]
    sent = [p for p in exclude_paths(str(folder), rules, dockerfile="Dockerfile")
            if (folder / p).is_file()]
    return sorted(((p, (folder / p).stat().st_size) for p in sent), key=lambda x: -x[1])


def _check_layer_order(source, ws: Workspace, res: Result) -> None:
    if not _build(source, ws, res):
        return
    _answers(source, ws, res, "python")
    # The source-only change goes into a copy of the work folder (in this session's
    # temporary folder): the learner's own files are never edited. BuildKit keys its cache
    # by content, not by path, so the copy's build reuses what the first build left.
    copy = Workspace(ws.exercise, session.tmp())
    shutil.rmtree(copy.path, ignore_errors=True)
    shutil.copytree(ws.path, copy.path)
    here = Path(os.getcwd())
    print(f"$ cp -r {build._shown_path(ws.path, here)} {copy.path}")
    app = copy.path / "sizedrop_app" / "app.py"
    # A new line every time: a line an earlier check already appended would find that
    # build's layers, and a wrong layer order would pass on the second try.
    with app.open("a") as f:
        f.write(f"\n# a one-line change {uuid.uuid4().hex}, made by the check\n")
    print(f"$ echo '# a one-line change' >> {app}")
    shown = res.command   # the report names the learner's command, not the copy's
    try:
        rebuilt = _build(source, copy, res, "rebuilds after a source-only change")
    finally:
        shutil.rmtree(copy.path, ignore_errors=True)
        res.command = shown
    if not rebuilt:
        return
    pip = [s for s in rebuilt.steps if "pip install" in s.instruction]
    if not pip:
        res.add("dependency layer reused", False, "no RUN with `pip install` found",
                "there is no `pip install` step", *GUIDE["no-pip"])
        return
    step = pip[0]
    where = f"[{step.stage} {step.index}] (Dockerfile line {step.line})"
    res.add("dependency layer reused", step.cached,
            f"{where} came from the cache" if step.cached else
            f"{where} ran again ({step.seconds:.1f} s)",
            f"pip install ran again after a source-only change ({where})", *GUIDE["pip-cache"])


def _check_distroless_health(source, ws: Workspace, res: Result) -> None:
    if not _build(source, ws, res):
        return
    shells = _shells(source, ws)
    res.add("no shell in the image", not shells,
            "none" if not shells else ", ".join(shells),
            f"the final image still has a shell ({', '.join(shells)}): it is not distroless",
            *GUIDE["shell"])
    _non_root(source, ws, res)
    _answers(source, ws, res, "go")


def _check_strip(source, ws: Workspace, res: Result) -> None:
    if not _build(source, ws, res):
        return
    data = inventory.file_bytes(source.client, ws.tag, "/app/server")
    if data is None:
        res.add("binary found", False, "no /app/server in the image",
                "there is no /app/server in the image", *GUIDE["binary"])
        return
    info = inventory.elf_info(data) or {"sections": []}
    res.figures["binary_bytes"] = len(data)
    symtab = ".symtab" in info["sections"]
    debug = [s for s in info["sections"] if s.startswith((".debug_", ".zdebug_"))]
    what = ", ".join(([".symtab"] if symtab else []) + debug[:4])
    res.add("stripped binary", not symtab and not debug,
            f"{len(data) / 1e6:.2f} MB" + (f"; still has {what}" if what else
                                            ", no symbol table, no DWARF"),
            f"the binary ({len(data) / 1e6:.1f} MB) still carries {what}", *GUIDE["strip"])
    _answers(source, ws, res, "go")


def _check_waste(source, ws: Workspace, res: Result) -> None:
    from . import layers

    if not _build(source, ws, res):
        return
    data = inventory.file_bytes(source.client, ws.tag, "/opt/assets/maps.bin")
    res.add("files unpacked", data is not None and len(data) == ASSET_BYTES,
            "/opt/assets/maps.bin is there" if data is not None else "no /opt/assets/maps.bin",
            "the unpacked files are not in /opt/assets", *GUIDE["unpacked"])
    base, n_base = _base_layers(source.client, ws.tag)
    analysed = layers.analyze(source.client, ws.tag)
    mine = [w for w in analysed.analysis.inefficiencies if min(w.layers) >= n_base]
    waste = sum(w.cumulative_size for w in mine)
    res.figures["wasted_bytes"] = waste
    archive = [i for i, layer in enumerate(analysed.summary.layers)
               if any(e.path == "tmp/assets.tar.gz" and e.kind == "file"
                      for e in layer.entries or [])]
    detail = f"{waste / 1e6:.2f} MB wasted in the layers above {base}"
    shown = sorted((w for w in mine if w.cumulative_size >= 10_000),
                   key=lambda w: -w.cumulative_size)   # not the folders' few bytes
    if shown:
        detail += ": " + ", ".join(f"/{w.path} ({_human(w.cumulative_size)}, layers "
                                   f"{', '.join(map(str, w.layers))})" for w in shown[:3])
    res.add("no wasted bytes in your layers", waste <= 4096, detail,
            f"/tmp/assets.tar.gz is written by one layer and deleted by a later one: its "
            f"{waste / 1e6:.1f} MB still ship" if archive else
            f"{waste / 1e6:.1f} MB are written in one layer and deleted in another",
            *GUIDE["waste" if archive else "waste-moved"])
    res.add("archive not shipped", not archive,
            "in no layer" if not archive else f"in layer {archive[0]}",
            "the archive is still in a layer", *GUIDE["waste"])
    _job(source, ws, res)


def _human(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


def _check_scratch(source, ws: Workspace, res: Result) -> None:
    """go-clock on scratch: the empty base, a binary that needs no loader, then the service's
    behaviour (lessons.behaviour), whose cases need the company's CA in the trust store and
    zone data: what the series' own scratch image of the sample app does not carry."""
    if not _build(source, ws, res):
        return
    client = source.client
    base, _ = _base_layers(client, ws.tag)
    res.add("FROM scratch", base == "scratch",
            "no base image layers" if base == "scratch" else f"starts from {base}",
            f"the runtime stage still starts from {base}", *GUIDE["scratch"])
    entry = (client.images.get(ws.tag).attrs["Config"].get("Entrypoint") or [""])[0]
    info = inventory.elf_info(inventory.file_bytes(client, ws.tag, entry) or b"") or {}
    res.add("static binary", bool(info.get("static")),
            "no dynamic loader needed" if info.get("static") else
            f"{entry or 'the entrypoint'} asks for {info.get('interpreter') or 'a loader'}",
            f"the binary is dynamically linked ({info.get('interpreter')}), which scratch "
            f"does not have: it would fail with 'exec {entry}: no such file or directory'",
            *GUIDE["static"])
    _behaviour(source, ws, res)


def _behaviour(source, ws: Workspace, res: Result,
               service: transfer.Service | None = None) -> None:
    """The behaviour check of the exercise's service (or of ``service``), item by item, each
    with its graded hint."""
    from . import behaviour

    found = behaviour.check(source.client, ws.tag, service or ws.exercise.service,
                            session.current())
    for item in found.items:
        res.add(item.name, item.passed, item.detail, f"{item.name}: {item.detail}",
                *GUIDE.get(f"behaviour: {item.name}", ("", "")))


def _check_challenge(source, ws: Workspace, res: Result) -> None:
    """A transfer service, slimmed: under the target measured on its reference image
    (lessons.challenge, committed), no command the image cannot run, then the service's
    behaviour (lessons.behaviour)."""
    language = transfer.get(ws.exercise.service).language
    target = challenge.target_mb(language)   # first: a missing target says so before a build
    if not _build(source, ws, res):
        return
    client = source.client
    size = sum(x.size for x in sizes.layer_sizes(client, ws.tag)) / sizes.MB
    res.figures["size_mb"] = round(size, 1)
    res.figures["target_mb"] = target
    res.add("small enough", size <= target, f"{size:.1f} MB, target {target:g} MB",
            f"the image is {size:.1f} MB, over the {target:g} MB target",
            *challenge.GUIDE[language])
    shells = _shells(source, ws)
    shell_form = challenge.shell_form_commands(client.images.get(ws.tag).attrs["Config"])
    res.add("no shell-form commands", bool(shells) or not shell_form,
            "none" if not shell_form else ", ".join(shell_form)
            + (" (there is a shell, so they run)" if shells else ""),
            f"{', '.join(shell_form)} in shell form, and the image has no shell to run them",
            *GUIDE["shell-form"])
    # How it behaves, run as production would (lessons.behaviour): user, the engine's health
    # verdict, the service's own cases, no shell, and the stop on SIGTERM.
    _behaviour(source, ws, res)


CHECKS: dict[str, Callable] = {
    "01-dockerignore": _check_dockerignore,
    "02-layer-order": _check_layer_order,
    "03-distroless-health": _check_distroless_health,
    "04-strip-binary": _check_strip,
    "05-wasted-bytes": _check_waste,
    "06-scratch": _check_scratch,
    "07-challenge": _check_challenge,
}


# ----------------------------------------------------------------------------- help on request


# Tasks judged outside this module whose reference also opens through lab.solution: the
# composed commands (lessons.goals) and the build-checks fix (lessons.buildchecks).
def _other_task(task_id: str) -> tuple[str, Path] | None:
    """(how to check it, its reference) for a task that is not an exercise folder."""
    if task_id in goals.GOALS:
        return f"lab.check_run({task_id!r})", SOLUTIONS_DIR / task_id
    if task_id == buildchecks.TASK:
        return "lab.build_checks()", SOLUTIONS_DIR / task_id
    return None


def _task(task_id: str) -> tuple[str, str, Path]:
    """(id, the call that checks it, its reference) of an exercise or another judged task."""
    other = _other_task(task_id)
    if other:
        return task_id, *other
    ex = get(task_id)
    return ex.id, f"lab.check({ex.id!r})", ex.files("solution")


def hint(exercise_id: str, root: Path | None = None) -> str:
    """The graded hint of your last check of the exercise (or composed command, or build-checks
    fix), from the progress log."""
    task_id, checker, _ = _task(exercise_id)
    log = Path(root or work_root())
    last = progress.last_check(log, task_id)
    failed = len(progress.failed_attempts(log, task_id))
    if not last or last.get("source") != "live":
        return (f"no check of your {task_id} yet: run `{checker}`; when it fails it "
                "says what to look at")
    if last.get("passed"):
        return f"your last check of {task_id} passed: nothing to hint"
    text = f"your last check of {task_id} failed: {last.get('reason')}"
    if last.get("next_step"):
        text += f"\n  next step: {last['next_step']}"
    return text + "\n  " + _help(task_id, failed)


def solution(exercise_id: str, source, root: Path | None = None) -> str:
    """The reference solution, once your own check of the exercise failed on
    ``progress.ATTEMPTS_BEFORE_REVEAL`` different attempts (in replay, where nothing can be
    attempted, at once, saying so). Every reveal is logged; a refusal says what to do next."""
    task_id, checker, folder = _task(exercise_id)
    log = Path(root or work_root())
    failed = progress.failed_attempts(log, task_id)
    if source.live and len(failed) < progress.ATTEMPTS_BEFORE_REVEAL:
        return (f"not yet: {len(failed)} different failed attempt(s) of {task_id} so far, and "
                f"the reference opens after {progress.ATTEMPTS_BEFORE_REVEAL}. Change your work "
                f"where the last FAIL pointed and run `{checker}` "
                f"(`lab.hint({task_id!r})` repeats what it said)")
    progress.append(log, "reveal", task_id, source="live" if source.live else "replay",
                    failed_attempts=len(failed))
    why = (f"after {len(failed)} different failed attempts of yours" if source.live else
           "replay mode: no Docker engine here, so nothing can be attempted or checked; "
           "shown so you can read it")
    parts = [f"REFERENCE SOLUTION of {task_id} ({why}; one good answer among several):"]
    files = [folder] if folder.is_file() else sorted(p for p in folder.rglob("*") if p.is_file())
    for f in files:
        name = "Dockerfile" if f == folder else f.relative_to(folder).as_posix()
        parts.append(f"--- {name} ---\n{f.read_text().rstrip()}")
    return "\n".join(parts)


# ----------------------------------------------------------------------------- simulation


def simulate(exercise_id: str, source, which: str, root: Path | None = None,
             quiet: bool = True) -> Result:
    """Do the exercise as a learner would: a fresh work folder, a typical ``mistake`` (or the
    ``second``, of another kind) or the reference ``solution`` applied, then the check (the
    learner-simulation test and ``python -m lessons record`` use this)."""
    ex = get(exercise_id)
    ws = Workspace(ex, root).reset()
    ws.apply(ex.files(which))
    return check(exercise_id, source, root=root, quiet=quiet)


def rows(result: Result, which: str) -> list[dict]:
    """A check as rows of exercises.csv (what replay shows)."""
    return [{"exercise": result.exercise, "which": which, "item": name, "ok": ok,
             "detail": detail, "reason": result.reason, "next_step": result.next_step,
             # the session's id as the notebooks write it, not the recording's random one
             "command": result.command.replace(session.current(), "$" + session.ENV)}
            for name, ok, detail in result.items]
