"""From a bare machine to the live table: how long the README's first command takes.

    sudo python3 benchmarks/bare.py                 # both orders, writes benchmarks/bare.md
    sudo python3 benchmarks/bare.py --modes overlapped --out /tmp/bare

Run it with CI's engine B stopped (it says so otherwise). A bare machine here is one with Python and root but no engine, no virtual environment and no
image set. This machine already has an engine, so the one measured is started from nothing the
way .ci/current-engine.sh makes engine B: a new Debian unstable root (debootstrap, then apt
installs Docker 28.5, containerd and buildx), its own bridge and socket, an empty containerd
image store. Beside it, a new virtual environment gets `pip install -r requirements.txt` with
no pip cache. Then `python -m lessons compare` runs against that engine: it builds the local
image set (no registry here), bakes all 12 variants, starts each, checks it answers, and prints
the live table. Each step is timed; every line compare prints is timed too, so the report can
say how long the image set and the builds took.

Two orders:
- sequential: engine, then pip, then compare (the README's command as written);
- overlapped: the engine and pip at the same time, then compare.

What this does not measure: downloads. The Debian mirror and the Python package index this
machine uses are close (a mirror and a local index), so a laptop on a home line spends longer
fetching the same packages; the report says so. Nothing here asserts a time: the report states
what was measured (issue 21, part 7).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENGINE = ROOT / ".ci" / "current-engine.sh"
# A root, bridge and subnet of its own, beside CI's engine B (docker28, 172.31.251.1/24).
BARE = {"SIZEDROP_ENGINE_ROOT": "/var/lib/sizedrop/bare-engine",
        "SIZEDROP_ENGINE_BRIDGE": "docker28bare",
        "SIZEDROP_ENGINE_ADDR": "172.31.252.1/24"}


def _engine(command: str, log) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(ENGINE), command], env={**os.environ, **BARE},
                          stdout=log, stderr=subprocess.STDOUT, text=True, check=False)


def _engine_env() -> dict[str, str]:
    out = subprocess.run(["bash", str(ENGINE), "env"], env={**os.environ, **BARE},
                         capture_output=True, text=True, check=True).stdout
    env = {}
    for line in out.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value.replace("$PATH", os.environ["PATH"])
    return env


def _remove_engine(log) -> None:
    _engine("stop", log)
    shutil.rmtree(BARE["SIZEDROP_ENGINE_ROOT"], ignore_errors=True)


class _LoadPeak:
    """The highest 1-minute load average seen while a run goes on (sampled every 5 s): a run
    that shared the machine says so."""

    def __init__(self):
        self.value = round(os.getloadavg()[0], 1)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._done.wait(5):
            self.value = max(self.value, round(os.getloadavg()[0], 1))

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


class Step:
    """One timed step, run in a thread so two can overlap."""

    def __init__(self, name: str, fn):
        self.name, self.fn = name, fn
        self.seconds: float | None = None
        self.error = ""
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        t0 = time.monotonic()
        try:
            self.fn()
        except Exception as exc:  # noqa: BLE001 - the report names the step that failed
            self.error = f"{type(exc).__name__}: {exc}"
        self.seconds = round(time.monotonic() - t0, 1)


def _run_all(steps: list[Step]) -> None:
    for s in steps:
        s.thread.start()
    for s in steps:
        s.thread.join()


def _pip(venv: Path, log) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, stdout=log,
                   stderr=subprocess.STDOUT)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--no-cache-dir", "-q", "-r",
                    "requirements.txt"], cwd=ROOT, check=True, stdout=log,
                   stderr=subprocess.STDOUT)


def _start_engine(log) -> None:
    if _engine("start", log).returncode != 0:
        raise RuntimeError("the engine did not start (see the log)")


def _compare(venv: Path, lines: list[tuple[float, str]], log) -> None:
    env = {**os.environ, **_engine_env(), "LESSONS_IMAGES": "local"}
    env.pop("SIZEDROP_SESSION", None)
    t0 = time.monotonic()
    proc = subprocess.Popen([str(venv / "bin" / "python"), "-m", "lessons", "compare"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:
        lines.append((round(time.monotonic() - t0, 1), line.rstrip("\n")))
        log.write(f"[{lines[-1][0]:7.1f}] {line}")
        log.flush()
    if proc.wait() != 0:
        raise RuntimeError(f"compare exited {proc.returncode} (see the log)")


def _first(lines: list[tuple[float, str]], *words: str) -> float | None:
    for t, text in lines:
        if any(w in text for w in words):
            return t
    return None


def measure(mode: str, log) -> dict:
    _remove_engine(log)
    work = Path(tempfile.mkdtemp(prefix="sizedrop-bare-"))
    venv = work / "venv"
    lines: list[tuple[float, str]] = []
    load = os.getloadavg()[0]
    peak = _LoadPeak()
    engine, pip = Step("engine", lambda: _start_engine(log)), Step("pip", lambda: _pip(venv, log))
    t0 = time.monotonic()
    if mode == "overlapped":
        _run_all([engine, pip])
    else:
        _run_all([engine])
        _run_all([pip])
    compare = Step("compare", lambda: _compare(venv, lines, log))
    if not (engine.error or pip.error):
        _run_all([compare])
    total = round(time.monotonic() - t0, 1)
    peak.stop()
    row = {"mode": mode, "engine_s": engine.seconds, "pip_s": pip.seconds,
           "compare_s": compare.seconds, "total_s": total,
           # compare's own lines: the image set is built first, then the variants (baked)
           "image_set_done_s": _first(lines, "in one BuildKit session"),
           "table_s": _first(lines, "source: live run"),
           "load_1min_at_start": round(load, 1), "load_1min_peak": peak.value,
           "error": engine.error or pip.error or compare.error}
    shutil.rmtree(work, ignore_errors=True)
    _remove_engine(log)
    return row


def report(rows: list[dict], out: Path, when: str) -> str:
    cols = list(rows[0])
    lines = [
        "# From a bare machine to the live table",
        "",
        f"Written by `sudo python3 benchmarks/bare.py` on {when}; measured, not edited.",
        "",
        f"- machine: {os.cpu_count()} CPUs, {_mem_gib()} GiB, {os.uname().sysname} "
        f"{os.uname().release}",
        "- engine: Debian unstable's Docker 28.5 (containerd image store) started from nothing "
        "in a new root by `.ci/current-engine.sh` (debootstrap + apt), beside the machine's own "
        "engines; virtual environment: new, `pip install -r requirements.txt`, no pip cache",
        "- image set: `local`, built from nothing by compare (no registry reachable here)",
        "- downloads: from a Debian mirror and a Python package index close to this machine; a "
        "laptop on a home line spends longer fetching the same packages",
        "- `load_1min_at_start`, `load_1min_peak`: the machine's 1-minute load average when "
        f"the run began and its highest value during the run; on these {os.cpu_count()} CPUs "
        "a peak far above the CPU count means other work shared the machine and the times are "
        "longer than an idle machine gives",
        "- `image_set_done_s` and `table_s`: seconds into compare when the local image set was "
        "done and the bake of the 12 variants began, and when compare printed the table",
        "",
        "| " + " | ".join(cols) + " |",
        "|" + "---|" * len(cols),
    ]
    for r in rows:
        lines.append("| " + " | ".join("" if r[c] is None else str(r[c]) for c in cols) + " |")
    lines.append("")
    text = "\n".join(lines)
    (out / "bare.md").write_text(text)
    return text


def _mem_gib() -> float:
    return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--modes", nargs="+", choices=("sequential", "overlapped"),
                    default=["sequential", "overlapped"])
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    if os.geteuid() != 0:
        print("error: starting an engine from nothing needs root: sudo python3 benchmarks/bare.py")
        return 1
    others = {k: v for k, v in os.environ.items() if not k.startswith("SIZEDROP_ENGINE_")}
    if subprocess.run(["bash", str(ENGINE), "status"], env=others,
                      capture_output=True).returncode == 0:
        # Seen here: a second Docker 28 daemon starting up rewrites the iptables chains both
        # share (DOCKER-FORWARD and its kin) with only its own bridge, and the running one's
        # containers lose the network until it restarts.
        print("error: CI's engine B (.ci/current-engine.sh) is running, and a second Docker 28 "
              "engine would take its network rules; next step: bash .ci/current-engine.sh stop, "
              "then run this again")
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rows = []
    with open(args.out / "bare.log", "w") as log:
        for mode in args.modes:
            print(f"== {mode}", flush=True)
            rows.append(measure(mode, log))
            print(rows[-1], flush=True)
    print(report(rows, args.out, when))
    return 0 if all(not r["error"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
