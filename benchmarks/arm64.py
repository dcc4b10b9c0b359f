"""The arm64 run: every variant built for linux/arm64, run, asked the whole contract, measured.

    python benchmarks/arm64.py            # every variant; writes benchmarks/arm64.md and
                                          # lessons/recorded/arm64/{sizes.csv,provenance.json}
    python benchmarks/arm64.py --quick    # the CI check: go/scratch and python/distroless,
                                          # nothing written; exit 1 on failure

On an amd64 engine the arm64 images are built and run under emulation (QEMU through the
kernel's binfmt_misc), which needs Docker with the containerd image store; on an arm64 engine
the same command runs natively. Build and start times under emulation say how long emulation
took, not how fast arm64 is: the report measures the slowdown and says so. Sizes, layers,
files and answers do not depend on how the programs were run.

Each image must answer every request of tests/live/contract_cases.py (CASES over HTTP,
RAW_CASES byte for byte over a plain socket, as tests/live/test_apps.py asks them), report
healthy through its own HEALTHCHECK, and stop on SIGTERM. Its files are read without running
it: the image config's architecture, the ELF machine and loader of the program it runs, where
its C libraries live (usr/lib/aarch64-linux-gnu, never x86_64-linux-gnu), and, for Go, the
GOARCH the binary records. The amd64 sizes beside them come from amd64 builds of the same
commit on the same engine (tagged ``...-amd64``, so the lab's own images are never touched),
with the recorded series table (lessons/recorded/sizes.csv) quoted too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from lessons import build as B  # noqa: E402
from lessons import catalog, engine, floor, inventory, lab, layers, localset, run  # noqa: E402
from lessons import imagesets  # noqa: E402
from lessons import platforms  # noqa: E402
from lessons import sizes as Z  # noqa: E402
from lessons.errors import BuildFailed, LabError  # noqa: E402
from tests.live.contract_cases import CASES, RAW_CASES, answer_problems  # noqa: E402
from tests.live.test_apps import send_raw  # noqa: E402

from run import machine, md_table  # noqa: E402  (benchmarks/run.py, beside this file)

# CI's check. Java jlink is left to the full run: its arm64 JDK lookalike alone took 475 s to
# build under emulation on a cold machine (stop 17), the largest part of CI's cold time.
QUICK = ("go/scratch", "python/distroless")
REPORT = HERE / "arm64.md"
RECORDED = ROOT / "lessons" / "recorded" / "arm64"
START_TIMEOUT = 300.0       # seconds for an emulated JVM or gunicorn to answer /healthz
# Under emulation a HEALTHCHECK's own program (a JVM, a Python interpreter) can take longer
# than the image's 3-5 s probe timeout on a busy machine; the same command then runs with this
# timeout instead, and a start period as long as START_TIMEOUT (both said in the report).
# Natively the image's own timing is used. (The distroless python3 image ships no compiled
# .pyc and its root is read-only, so every emulated probe compiles what it imports: the
# import alone took 34 s under QEMU here.)
EMULATED_HEALTH_TIMEOUT_S = 120
SLOWDOWN_PATH = "/primes?n=1000000"     # the largest n the apps accept
BASELINE_PATH = "/healthz"               # the same round trip with next to no work
SLOWDOWN_WARMUP = 5                      # a JIT compiles the hot loop after a few calls
SLOWDOWN_RUNS = 15

_started = time.monotonic()


def say(text: str) -> None:
    print(f"[{time.monotonic() - _started:6.0f}s] {text}", flush=True)


# ----------------------------------------------------------------------------- the contract

def ask_contract(app: run.Running, language: str) -> tuple[int, list[str]]:
    """Every request of the contract, judged as tests/live/test_apps.py judges it. Returns
    (requests asked, what was wrong)."""
    wrong = []
    for method, path, status, body in CASES:
        want = body.replace("{lang}", language).encode()
        got = run.http(method, app.url + path, timeout=60)
        if got.status != status or got.body != want:
            wrong.append(f"{method} {path}: got {got.status} {got.body[:120]!r}, "
                         f"want {status} {want!r}")
        elif not got.headers.get("Content-Type", "").startswith("application/json"):
            wrong.append(f"{method} {path}: Content-Type {got.headers.get('Content-Type')}")
    for case in RAW_CASES:
        wrong += answer_problems(language, case, send_raw(app.port, case[1], timeout=60))
    return len(CASES) + len(RAW_CASES), wrong


def health_status(app: run.Running, timeout: float) -> str:
    """The engine's health status once it says healthy, or the last one after ``timeout``.
    "unhealthy" is not final while the container runs: an emulated interpreter can fail the
    first probes of a slow start, and one success later makes the container healthy."""
    deadline = time.monotonic() + timeout
    status = "none"
    while time.monotonic() < deadline:
        app.container.reload()
        status = (app.container.attrs["State"].get("Health") or {}).get("Status", "none")
        if status in ("healthy", "none"):
            break
        time.sleep(1)
    return status


# ----------------------------------------------------------------------------- the files

def main_program(language: str, arch: str) -> list[str]:
    """Where the program an image runs lives, first match wins."""
    return {"go": ["/app/server"],
            "java": ["/opt/jre/bin/java", f"/usr/lib/jvm/java-21-openjdk-{arch}/bin/java"],
            "python": ["/usr/bin/python3.13"]}[language]


def read_files(client, tag: str, language: str, arch: str) -> dict:
    """What the image's files say about the architecture it is for (nothing is run)."""
    inv = inventory.of_image(client, tag)
    out = {"program": "", "elf_machine": "", "loader": "static", "loader_in_image": "",
           "goarch": ""}
    for path in main_program(language, arch):
        if path.lstrip("/") in inv.paths:
            data = inventory.file_bytes(client, tag, path)
            info = inventory.elf_info(data or b"") or {}
            out.update(program=path, elf_machine=info.get("machine", "not ELF"),
                       loader=info.get("interpreter") or "static")
            if info.get("interpreter"):
                loader = info["interpreter"].lstrip("/")
                out["loader_in_image"] = "yes" if inv.resolves(loader) else "MISSING"
            break
    libs = {m: sum(1 for p in inv.paths if p.startswith(f"usr/lib/{m}/"))
            for m in platforms.MULTIARCH.values()}
    out["libs_" + arch] = libs[platforms.MULTIARCH[arch]]
    out["libs_other"] = sum(n for m, n in libs.items() if m != platforms.MULTIARCH[arch])
    go = [b for b in inv.go_binaries if b["path"] == "/app/server"]
    if go:
        out["goarch"] = go[0].get("goarch", "")
        out["go"] = go[0]["go"]
    surface = inventory.summary(inv, inventory.user_of(client, tag))
    out.update({f"surface {k}": v for k, v in surface.items()})
    return out


def problems_in_files(row: dict, language: str, arch: str) -> list[str]:
    wrong = []
    if row["image_arch"] != arch:
        wrong.append(f"image config says {row['image_arch']}")
    if row["elf_machine"] != arch:
        wrong.append(f"{row['program'] or 'program'} is ELF {row['elf_machine'] or 'missing'}")
    if row["loader"] != "static" and (row["loader"] != platforms.LOADER[arch]
                                      or row["loader_in_image"] != "yes"):
        wrong.append(f"loader {row['loader']} ({row['loader_in_image']})")
    if language == "go" and row["goarch"] != arch:
        wrong.append(f"Go binary built for GOARCH={row['goarch']!r}")
    if row["libs_other"]:
        wrong.append(f"{row['libs_other']} files of another architecture under usr/lib")
    return wrong


# ----------------------------------------------------------------------------- steps

def lookalikes(client, variants, target, image_set, nocache: bool) -> list[dict]:
    """Build the lookalikes the variants need, the engine's own and the target's."""
    if image_set != "local":
        return []
    native_args, target_args = set(), set()
    for v in variants:
        need = imagesets.needed_for(v.dockerfile, target)
        native_args |= {b.arg for b in need["native"]}
        target_args |= {b.arg for b in need["target"]}
    done = []

    def progress(i, n, name, state):
        say(f"  [{i}/{n}] {name}: {state}")

    if imagesets.missing(client, "local", [imagesets.by_arg()[a] for a in native_args]):
        say(f"lookalikes for {target.native} (the build machine's stages)")
        done += localset.build_all(client, progress=progress, only=sorted(native_args))
    if target_args:
        say(f"lookalikes for {target}")
        done += localset.build_all(client, progress=progress, target=target,
                                   only=sorted(target_args), force=nocache, nocache=nocache)
    return done


def emulated_healthcheck(client, tag: str) -> dict | None:
    """The image's HEALTHCHECK with its timeout raised to EMULATED_HEALTH_TIMEOUT_S (same
    command, interval and retries), for docker-py's ``healthcheck`` option; None if it has
    none."""
    hc = client.images.get(tag).attrs["Config"].get("Healthcheck") or {}
    if not hc.get("Test"):
        return None
    out = {"test": hc["Test"], "timeout": EMULATED_HEALTH_TIMEOUT_S * 1_000_000_000}
    for key, name in (("Interval", "interval"), ("Retries", "retries")):
        if hc.get(key):
            out[name] = hc[key]
    # An emulated start takes tens of seconds: probes that fail before the first success
    # do not count for that long (Docker's start period), as the app's own start allows.
    out["start_period"] = int(START_TIMEOUT * 1_000_000_000)
    return out


def build_failure(err: BuildFailed) -> str:
    """One line for the report: the step that failed and the last error line of its log."""
    lines = err.log_tail or [err.message]
    reason = next((t.strip() for t in reversed(lines) if "error" in t.lower()), err.message)
    where = f"failed at {err.step[:60]!r}" if err.step else "failed before its first step"
    return f"{where}: {reason[:160]}"


def build_with_retry(client, v, image_set, target, nocache: bool, row: dict):
    """Build; under emulation once more if it fails. The apps' unit tests run inside the
    build and have time limits; lab.build_args stretches them for emulated builds, and this
    retry covers what a busy machine may still miss: the report keeps the first failure."""
    try:
        return lab.build_variant(client, v, image_set, target=target, nocache=nocache)
    except BuildFailed as err:
        if not target.foreign:
            raise
        reason = build_failure(err)
        row["first_attempt"] = reason
        say(f"{v}: the build failed under emulation ({reason}); building it once more")
        return lab.build_variant(client, v, image_set, target=target, nocache=False)


def one_variant(client, v, target, image_set, nocache: bool, row: dict) -> dict:
    """Build, measure and ask one variant, filling ``row`` as it goes (so a failure half-way
    still leaves what was found, the first build attempt among it)."""
    tag = v.tag(image_set, target)
    row.update({"language": v.language, "variant": v.variant, "image": tag, "first_attempt": ""})
    say(f"{v}: building for {target.platform}\n    $ "
        f"{lab.command(v, image_set, client=client, target=target)}")
    result = build_with_retry(client, v, image_set, target, nocache, row)
    row["build_s"] = round(result.seconds, 1)
    row["cached_steps"] = f"{result.cached_steps}/{len(result.steps)}"
    image = client.images.get(tag)
    row["image_arch"] = image.attrs.get("Architecture", "")
    say(f"{v}: built in {result.seconds:.0f} s, image architecture {row['image_arch']}")
    row.update(Z.measure(client, tag))
    row.update(read_files(client, tag, v.language, target.arch))
    wrong = problems_in_files(row, v.language, target.arch)
    options = {}
    if target.foreign and emulated_healthcheck(client, tag):
        options["healthcheck"] = emulated_healthcheck(client, tag)
    with run.running(client, tag, purpose="arm64", platform=target.build_platform,
                     timeout=START_TIMEOUT, **options) as app:
        row["healthy_s"] = round(app.healthy_after, 1)
        asked, contract = ask_contract(app, v.language)
        row["health"] = health_status(app, START_TIMEOUT)
        stopped = run.stop(app, timeout=10)
    row["contract_asked"] = asked
    row["contract_wrong"] = len(contract)
    row["stop_s"] = round(stopped["stop_seconds"], 2)
    row["exit_code"] = stopped["exit_code"]
    if row["health"] != "healthy":
        wrong.append(f"HEALTHCHECK says {row['health']}")
    if stopped["exit_code"] != 0:
        wrong.append(f"exit code {stopped['exit_code']} on SIGTERM")
    row["problems"] = "; ".join(wrong + contract[:5])
    row["ok"] = not wrong and not contract
    say(f"{v}: {asked - len(contract)}/{asked} contract requests answered byte for byte, "
        f"healthy after {row['healthy_s']} s, HEALTHCHECK {row['health']}, stopped in "
        f"{row['stop_s']} s (exit {row['exit_code']}); {row['elf_machine']} ELF "
        f"{row['program']}, loader {row['loader']}"
        + (f", GOARCH={row['goarch']}" if row["goarch"] else "")
        + (f" -- PROBLEMS: {row['problems']}" if not row["ok"] else " -- ok"))
    return row


def amd64_reference(client, v, image_set, native: platforms.Target) -> dict:
    """The same variant for the engine's own platform, under a name of the benchmark's own
    (``...-amd64``) so the lab's images stay as they are."""
    tag = v.tag(image_set) + f"-{native.arch}"
    B.build(client, v.context, v.dockerfile, tag,
            buildargs=lab.build_args(v, image_set, client, native),
            labels=lab.labels_for(v, image_set))
    m = Z.measure(client, tag)
    return {"language": v.language, "variant": v.variant, "amd64_image": tag,
            "amd64_mb": m["uncompressed_mb"], "amd64_compressed_mb": m["compressed_mb"],
            "amd64_layers": m["layers"]}


def slowdown(client, tag_native: str, tag_target: str, target: platforms.Target) -> dict:
    """Median seconds of a CPU-bound request and of /healthz, natively and under emulation.
    The round trip (client, port forwarding, HTTP parsing) is in both; the difference of the
    two medians is the work itself, and the slowdown is taken on that."""
    out = {}
    for name, tag, plat in (("native", tag_native, None),
                            ("emulated", tag_target, target.build_platform)):
        with run.running(client, tag, purpose="arm64", platform=plat,
                         timeout=START_TIMEOUT) as app:
            for _ in range(SLOWDOWN_WARMUP):             # JIT, imports, caches
                app.get(SLOWDOWN_PATH, timeout=300)
                app.get(BASELINE_PATH, timeout=300)
            for path, key in ((SLOWDOWN_PATH, name), (BASELINE_PATH, f"{name}_baseline")):
                times = []
                for _ in range(SLOWDOWN_RUNS):
                    t0 = time.monotonic()
                    app.get(path, timeout=300)
                    times.append(time.monotonic() - t0)
                out[key] = statistics.median(times)
    for name in ("native", "emulated"):
        out[f"{name}_work"] = max(out[name] - out[f"{name}_baseline"], 1e-6)
    return out


def qemu_version() -> str:
    entry = platforms.binfmt_entry("arm64") or {}
    exe = entry.get("interpreter") or ""
    for candidate in (exe, "/usr/bin/qemu-aarch64-static"):
        if candidate and Path(candidate).exists():
            try:
                text = subprocess.run([candidate, "--version"], capture_output=True, text=True,
                                      timeout=10).stdout
                return text.splitlines()[0].strip() + f" (binfmt flags {entry.get('flags', '?')})"
            except (OSError, subprocess.TimeoutExpired, IndexError):
                pass
    return "unknown"


# ----------------------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="the CI check: " + ", ".join(QUICK) + "; writes no report")
    ap.add_argument("--variants", nargs="+", help="language/variant, e.g. go/scratch")
    ap.add_argument("--platform", default="linux/arm64")
    ap.add_argument("--no-cache", action="store_true",
                    help="rebuild the target's lookalikes and every image without the cache "
                         "(what a fresh CI machine does)")
    ap.add_argument("--no-report", action="store_true", help="write nothing")
    ap.add_argument("--skip-amd64", action="store_true",
                    help="no amd64 reference builds (the recorded table only)")
    args = ap.parse_args()

    client = engine.connect()
    target = platforms.resolve(client, args.platform)
    native = platforms.Target(target.native, target.native)
    problem = localset.cross_problem(client, target)
    if problem:
        print(f"error: this engine cannot build and run {target.platform} images: {problem}",
              file=sys.stderr)
        print(f"next step: {platforms.EMULATION_HINT}", file=sys.stderr)
        return 2
    picked = args.variants or (list(QUICK) if args.quick else None)
    todo = [catalog.Variant(*p.split("/")) for p in picked] if picked else catalog.variants()
    write = not (args.quick or args.no_report or args.variants)
    image_set = lab.ensure_ready(client)
    info = engine.describe(client)
    say(f"target {target}; engine Docker {info['engine_version']} ({info['storage_driver']}); "
        f"image set {image_set}; emulator {qemu_version() if target.foreign else 'none'}")

    steps: list[tuple[str, float]] = []
    failures: list[str] = []
    t0 = time.monotonic()
    built = lookalikes(client, todo, target, image_set, args.no_cache)
    steps.append(("lookalikes", time.monotonic() - t0))
    root = imagesets.name_in(image_set, "DEBIAN_IMAGE", target)
    if image_set == "local" and not imagesets.missing(client, "local", [imagesets.by_arg()["DEBIAN_IMAGE"]],
                                              target):
        machine = platforms.engine_runs(client, root, target)
        say(f"docker run --platform {target.platform} {root} uname -m: {machine}")
        if machine != platforms.UNAME[target.arch]:
            failures.append(f"uname -m in {root} printed {machine!r}")
    rows = []
    for v in todo:
        t0 = time.monotonic()
        row: dict = {}
        try:
            rows.append(one_variant(client, v, target, image_set, args.no_cache, row))
            if not rows[-1]["ok"]:
                failures.append(f"{v}: {rows[-1]['problems']}")
        except LabError as err:
            say(f"{v}: FAILED: {err.message}\n{err.details or ''}")
            failures.append(f"{v}: {err.message}")
            reason = build_failure(err) if isinstance(err, BuildFailed) else err.message
            rows.append({**row, "language": v.language, "variant": v.variant, "ok": False,
                         "problems": reason})
        steps.append((str(v), time.monotonic() - t0))
    total = time.monotonic() - _started
    print("\nsteps (wall time):")
    for name, seconds in steps:
        print(f"  {name:<24} {seconds:7.1f} s")
    print(f"  {'total':<24} {total:7.1f} s")
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
    if not write:
        return 1 if failures else 0
    report(client, target, native, image_set, info, todo, rows, built, steps, args)
    return 1 if failures else 0


def recorded_source() -> str:
    """Where the series' recorded amd64 table came from, read from the table itself."""
    rec = pd.read_csv(ROOT / "lessons" / "recorded" / "sizes.csv")
    parts = []
    for col, fmt in (("engine_version", "Docker {}"), ("storage_driver", "{}"),
                     ("image_set", "{} image set"), ("date", "recorded {}")):
        if col in rec and rec[col].nunique() == 1:
            parts.append(fmt.format(rec[col].iloc[0]))
    return ", ".join(parts) or "source not recorded in the table"


def report(client, target, native, image_set, info, todo, rows, built, steps, args) -> None:
    df = Z.tidy(pd.DataFrame([r for r in rows if "uncompressed_mb" in r]))
    full = pd.DataFrame(rows)
    say("amd64 references (same commit, same engine)")
    refs = pd.DataFrame([amd64_reference(client, v, image_set, native) for v in todo]) \
        if not args.skip_amd64 else pd.DataFrame(columns=["language", "variant"])
    recorded = pd.read_csv(ROOT / "lessons" / "recorded" / "sizes.csv")[
        ["language", "variant", "uncompressed_mb"]].rename(
        columns={"uncompressed_mb": "amd64_recorded_mb"})
    say("floors")
    floors = []
    for lang in catalog.LANGUAGES:
        src = floor.SOURCES[lang][0]
        if catalog.Variant(lang, src) not in todo:
            continue
        a = floor.artifact_floor_bytes(client, lang, image_set, target)
        row = {"language": lang, "from": f"{lang}/{src}",
               "arm64 floor MB": round(a["floor_bytes"] / Z.MB, 2)}
        if not args.skip_amd64:
            with_ref = _floor_of_reference(client, lang, image_set, native)
            row["amd64 floor MB"] = round(with_ref / Z.MB, 2)
        row["parts"] = " + ".join(a["parts"])
        floors.append(row)
    say("layers")
    eff = []
    for r in rows:
        if "image" not in r or "uncompressed_mb" not in r:
            continue
        res = layers.analyze(client, r["image"])
        eff.append({"language": r["language"], "variant": r["variant"],
                    "layers": len(res.summary.layers),
                    "efficiency": round(res.analysis.efficiency, 4),
                    "wasted MB": round(res.analysis.wasted_bytes / Z.MB, 3)})
    say("lookalikes, arm64 beside amd64")
    looks = []
    for b in imagesets.BASE_IMAGES:
        try:
            a = Z.measure(client, b.local_for(target))
            n = Z.measure(client, b.local)
        except Exception:
            continue
        looks.append({"lookalike": b.local, "stands in for": b.official,
                      "arm64 MB": a["uncompressed_mb"], "amd64 MB": n["uncompressed_mb"],
                      "arm64 - amd64 MB": round(a["uncompressed_mb"] - n["uncompressed_mb"], 2)})
    say("emulation slowdown")
    slow = []
    if target.foreign and not args.skip_amd64:
        for v in (catalog.Variant("go", "scratch"), catalog.Variant("java", "jlink"),
                  catalog.Variant("python", "distroless")):
            if v not in todo:
                continue
            s = slowdown(client, v.tag(image_set) + f"-{native.arch}",
                         v.tag(image_set, target), target)
            slow.append({"image": str(v), "request": f"GET {SLOWDOWN_PATH}",
                         f"{native.arch} native ms": round(s["native"] * 1000, 1),
                         f"{native.arch} {BASELINE_PATH} ms": round(
                             s["native_baseline"] * 1000, 1),
                         f"{target.arch} emulated ms": round(s["emulated"] * 1000, 1),
                         f"{target.arch} {BASELINE_PATH} ms": round(
                             s["emulated_baseline"] * 1000, 1),
                         "slowdown of the work": f"{s['emulated_work'] / s['native_work']:.1f}x",
                         "slowdown of the request": f"{s['emulated'] / s['native']:.1f}x"})

    # ---- the recorded table (same columns as lessons/recorded/sizes.csv)
    prov = lab.provenance(client, image_set, target)
    rec = df.copy()
    rec["answered"] = rec["image"].map(full.set_index("image")["ok"])
    for k, val in prov.items():
        rec[k] = val
    cols = list(pd.read_csv(ROOT / "lessons" / "recorded" / "sizes.csv", nrows=0).columns)
    RECORDED.mkdir(parents=True, exist_ok=True)
    rec[cols].to_csv(RECORDED / "sizes.csv", index=False)
    (RECORDED / "provenance.json").write_text(json.dumps({
        "image_set": image_set, "engine_version": info["engine_version"],
        "storage_driver": info["storage_driver"], "architecture": target.arch,
        "platform": target.platform,
        "emulated": target.foreign, "date": prov["date"],
        "command": "python benchmarks/arm64.py",
        "note": ("Measured by a live run of benchmarks/arm64.py; not edited by hand. Sizes, "
                 "layers and answers are arm64's own; times under emulation are not.")},
        indent=2) + "\n")

    # ---- the report
    sizes_cols = df[["language", "variant", "uncompressed_mb", "compressed_mb", "layers",
                     "drop_pct"]].rename(columns={"uncompressed_mb": "arm64 MB",
                                                  "compressed_mb": "arm64 gz MB",
                                                  "layers": "arm64 layers",
                                                  "drop_pct": "arm64 drop %"})
    side = sizes_cols.merge(refs, on=["language", "variant"], how="left") \
        .merge(recorded, on=["language", "variant"], how="left")
    if "amd64_mb" in side:
        side["arm64 - amd64 MB"] = (side["arm64 MB"] - side["amd64_mb"]).round(2)
        side["arm64 / amd64"] = (side["arm64 MB"] / side["amd64_mb"]).round(3)
        side = side.rename(columns={"amd64_mb": "amd64 MB", "amd64_compressed_mb": "amd64 gz MB",
                                    "amd64_layers": "amd64 layers"}).drop(columns=["amd64_image"])
    side = side.rename(columns={"amd64_recorded_mb": "amd64 MB (recorded series)"})
    answers = full.reindex(columns=["language", "variant", "image_arch", "contract_asked",
                                    "contract_wrong", "health", "stop_s", "exit_code", "ok",
                                    "problems", "first_attempt"])
    answers["contract"] = [f"{int(a - w)}/{int(a)} byte for byte" if a == a else "not asked"
                           for a, w in zip(answers["contract_asked"], answers["contract_wrong"])]
    answers = answers[["language", "variant", "image_arch", "contract", "health", "exit_code",
                       "ok", "problems", "first_attempt"]].rename(columns={
                           "image_arch": "image architecture", "health": "HEALTHCHECK",
                           "exit_code": "exit on SIGTERM",
                           "first_attempt": "first build attempt under emulation"})
    files = full[["language", "variant", "program", "elf_machine", "loader", "loader_in_image",
                  f"libs_{target.arch}", "libs_other", "goarch"]].rename(columns={
                      "elf_machine": "ELF machine", "loader_in_image": "loader in image",
                      f"libs_{target.arch}": f"files in usr/lib/{platforms.MULTIARCH[target.arch]}",
                      "libs_other": "files in another arch's usr/lib", "goarch": "Go GOARCH"})
    surface = full[["language", "variant"] + [c for c in full.columns
                                             if c.startswith("surface ")]].rename(
        columns=lambda c: c.replace("surface ", ""))
    times = full[["language", "variant", "build_s", "cached_steps", "healthy_s",
                  "stop_s"]].rename(columns={"build_s": "build s (emulated)",
                                             "cached_steps": "steps from cache",
                                             "healthy_s": "start to /healthz s (emulated)",
                                             "stop_s": "stop s"})
    m = machine()
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    total_min = (time.monotonic() - _started) / 60
    ok = int(full["ok"].sum())
    out = [
        "# Size Drop on arm64",
        "",
        f"Written by `python benchmarks/arm64.py` on {when}; measured, not edited.",
        "",
        f"- machine: {m['cpus']} CPUs ({m['cpu']}), {m['memory_gib']} GiB, {m['os']}",
        f"- engine: Docker {info['engine_version']}, storage {info['storage_driver']}, "
        f"{info['architecture']}; target `{target.platform}`"
        + (f", **emulated** by {qemu_version()}" if target.foreign else ", native"),
        f"- image set: `{image_set}` (arm64 lookalikes built under emulation from Debian 13's "
        "arm64 packages: `python -m lessons images --build-local --platform linux/arm64`)",
        "- sizes: layer tars from `docker save`; gz = gzip -6 of them; 1 MB = 10^6 B",
        f"- result: **{ok} of {len(full)} images** built for arm64, answered the whole "
        f"contract ({len(CASES)} HTTP requests and {len(RAW_CASES)} raw ones, byte for byte), "
        "reported healthy and stopped with exit 0, and their files are arm64's.",
        "",
        "## What was verified and how",
        "",
        "On an amd64 machine with no arm64 hardware, Debian's `qemu-user-static` is "
        "registered with the kernel's binfmt_misc with the F flag (the kernel keeps the "
        "emulator open, so it also runs inside containers). Docker 26.1 with the containerd "
        "image store then builds and runs `linux/arm64` images beside the amd64 ones:",
        "",
        "1. **Local image set for arm64** (`python -m lessons images --build-local "
        "--platform linux/arm64`): `debootstrap --arch=arm64` makes the Debian 13 root, "
        "`docker import --platform linux/arm64` imports it, and every lookalike recipe is "
        "built with `docker buildx build --platform linux/arm64`. Names end in `-arm64`; the "
        "jlink build's JDK is a two-platform image `...:21-trixie-amd64-arm64`, because its "
        "javac stage runs on the build machine and its jlink stage on the target.",
        "2. **Every app and variant** built with `docker buildx build --platform linux/arm64` "
        "(Go and Java compile on the build machine for the target, as on a Mac they would "
        "natively; Python's stages and jlink run under emulation), started with "
        "`docker run --platform linux/arm64` and the lab's safe defaults, and asked the whole "
        "contract of `tests/live/contract_cases.py` exactly as `tests/live/test_apps.py` asks "
        "it; then the image's own HEALTHCHECK command must report healthy and SIGTERM must "
        "stop it with exit code 0. Under emulation the HEALTHCHECK runs with its timeout "
        f"raised to {EMULATED_HEALTH_TIMEOUT_S} s (an emulated JVM or Python interpreter on a "
        "busy 2-CPU machine can miss the image's 3-5 s) and a start period of "
        f"{START_TIMEOUT:.0f} s (probes failing before the slow emulated start has answered "
        "do not count). The Python app's unit tests, run inside every build, give gunicorn 2 s "
        "to stop natively; emulated builds get `--build-arg "
        f"TEST_TIME_FACTOR={platforms.EMULATED_TEST_TIME_FACTOR}` (the lab passes it for any "
        "foreign platform), which stretches the tests' time limits by that factor. A build "
        "that still fails is built once more; the table below keeps any first failure.",
        "3. **Files read, not assumed**: the image config says `arm64`; the program each image "
        "runs is an ELF file for machine `arm64` (AArch64); dynamically linked ones ask for "
        f"`{platforms.LOADER['arm64']}` and the image has it; the C libraries are under "
        "`usr/lib/aarch64-linux-gnu` and nothing is under `usr/lib/x86_64-linux-gnu`; the Go "
        "binary records `GOARCH=arm64`. Sizes, layers, floors and the attack surface are read "
        "by the same toolkit code as on amd64.",
        "4. **Sizes beside amd64**: the same commit built for amd64 on the same engine in the "
        "same run (tags ending in `-amd64`), and the series' recorded amd64 table "
        f"(`lessons/recorded/sizes.csv`, {recorded_source()}) quoted as well. The arm64 "
        "table is recorded in `lessons/recorded/arm64/sizes.csv` for notebook 04.",
        "5. **CI**: `.ci/arm64-check.sh` (called by `.ci/run` on engine B) builds Go scratch "
        "and Python distroless for arm64 with what they need of the arm64 local "
        "set, runs each under emulation and asks the whole contract "
        "(`python benchmarks/arm64.py --quick`). `tests/live/test_arm64.py` builds Go scratch "
        "for arm64 within `pytest` when the engine can run arm64, and skips with the reason "
        "otherwise.",
        "",
        "What this does not show: speed on real arm64 hardware. Every time below under "
        "emulation measures QEMU on this machine; the slowdown table says by how much.",
        "",
        "## Sizes: arm64 beside amd64",
        "",
        md_table(side),
        "",
        "## Answers on arm64",
        "",
        md_table(answers),
        "",
        "## The files say arm64",
        "",
        md_table(files),
        "",
        "## Attack surface on arm64 (inventory of each image's files)",
        "",
        md_table(surface),
        "",
        "## Layers on arm64",
        "",
        md_table(pd.DataFrame(eff)),
        "",
    ]
    if floors:
        out += ["## Floors on arm64", "", md_table(pd.DataFrame(floors)), ""]
    if looks:
        out += ["## Lookalike base images, arm64 beside amd64", "", md_table(pd.DataFrame(looks)),
                ""]
    out += ["## Times (under emulation: not arm64's speed)", ""]
    if slow:
        out += [f"The same CPU-bound request (`GET {SLOWDOWN_PATH}`, a sieve of Eratosthenes) and "
                f"`GET {BASELINE_PATH}`, each the median of {SLOWDOWN_RUNS} after "
                f"{SLOWDOWN_WARMUP} warm-up calls, natively on this {native.arch} machine and "
                f"under QEMU for {target.arch}. Both include the same HTTP round trip through "
                "the published port; the slowdown of the work is taken on the difference of "
                "the two medians, that of the request on the whole. A JIT (Java) and the "
                "interpreter's own speed shift it per language; the figure moves between runs "
                "on a shared 2-CPU machine:", "",
                md_table(pd.DataFrame(slow)), ""]
    out += [md_table(times), ""]
    if built:
        out += ["Lookalikes built in this run:", "", md_table(pd.DataFrame(built)), ""]
    out += ["Wall time per step of this run:", "",
            md_table(pd.DataFrame([{"step": n, "seconds": round(s, 1)} for n, s in steps])), "",
            f"Benchmark wall time: {total_min:.1f} min.", ""]
    REPORT.write_text("\n".join(out))
    say(f"wrote {REPORT} and {RECORDED / 'sizes.csv'}")


def _floor_of_reference(client, lang, image_set, native) -> int:
    """The floor read from the amd64 reference image (``...-amd64``)."""
    from lessons import imagefs

    variant, paths = floor.SOURCES[lang]
    tag = catalog.Variant(lang, variant).tag(image_set) + f"-{native.arch}"
    total = 0
    with imagefs.created(client, tag, "floor") as container:
        for path in paths:
            chunks, _ = container.get_archive(path)
            total += floor.tar_file_bytes(imagefs.stream(chunks))
    return total


if __name__ == "__main__":
    sys.exit(main())
