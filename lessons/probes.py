"""Small experiments the notebooks run on an image, whose outcome is text (and is recorded for
replay mode): does it have a shell? which user does it run as? how does it stop? what does a
debugging sidecar see?

``record_extras(client, image_set, out_dir)`` runs them all on a live engine and writes the
tables replay mode reads: ``probes.csv`` (probe, language, variant, result), ``answers.csv``
(language, variant, path, status, body), ``files.csv`` (the explorer's folder listing) and
``challenge.csv`` (the workshop check of the fat starting points and the reference solutions).
"""

from __future__ import annotations

import time
from pathlib import Path

from . import labels as L

PURPOSE = "probe"

# The requests notebooks ask every variant (answers.csv holds one row for each).
ASKED = ("/", "/healthz", "/primes?n=30", "/primes?n=abc", "/nope")


def _create(client, tag: str, command, entrypoint=None, **options):
    return client.containers.create(tag, command, entrypoint=entrypoint,
                                    labels=L.container_labels(PURPOSE), **options)


def shell(client, tag: str) -> str:
    """`docker run --rm --entrypoint sh IMAGE -c 'echo ...'`: the outcome."""
    from docker.errors import APIError

    c = _create(client, tag, ["-c", "echo I am a shell in $(pwd)"], entrypoint=["sh"])
    try:
        c.start()
        code = c.wait(timeout=30).get("StatusCode")
        out = c.logs().decode(errors="replace").strip()
        return f"a shell ran: {out}" if code == 0 else f"exit code {code}: {out}"
    except APIError as err:
        text = str(err.explanation or err)
        if "executable file not found" in text or "no such file" in text:
            return 'exec: "sh": executable file not found in $PATH (there is no shell)'
        return "the engine refused to start it: " + text[-160:]
    finally:
        c.remove(force=True)


def user(client, tag: str) -> str:
    cfg = client.images.get(tag).attrs["Config"].get("User") or ""
    return cfg or "root (no USER in the image)"


def healthcheck(client, tag: str) -> str:
    """The image's HEALTHCHECK as the engine stores it."""
    hc = (client.images.get(tag).attrs["Config"].get("Healthcheck") or {}).get("Test") or []
    if not hc:
        return "no HEALTHCHECK"
    kind, rest = hc[0], hc[1:]
    if kind == "CMD-SHELL":
        return "shell form (needs /bin/sh): " + " ".join(rest)
    return "exec form: " + " ".join(rest)


def health_status(client, tag: str, timeout: float = 45.0) -> str:
    """Start the image (safe defaults) and wait for the engine's own verdict on HEALTHCHECK."""
    from . import run as R

    app = R.start(client, tag, purpose=PURPOSE)
    try:
        deadline = time.monotonic() + timeout
        status = "starting"
        while time.monotonic() < deadline:
            app.container.reload()
            status = (app.container.attrs["State"].get("Health") or {}).get("Status", "none")
            if status in ("healthy", "unhealthy", "none"):
                break
            time.sleep(0.5)
        return f"{status} after {time.monotonic() - app.started:.1f} s"
    finally:
        R.remove(app)


def pid1(client, tag: str) -> str:
    """Start the image and stop it with SIGTERM: who is PID 1 and how long did it take?"""
    from . import run as R

    app = R.start(client, tag, purpose=PURPOSE)
    try:
        R.wait_healthy(app)
        top = client.api.top(app.container.id)
        first = top["Processes"][0][top["Titles"].index("CMD")] if top.get("Processes") else "?"
        res = R.stop(app, timeout=10)
        code = res["exit_code"]
        how = ("killed by the engine after the grace period (exit 137 = 128 + SIGKILL)"
               if res["killed"] else
               "exit code 143 = 128 + SIGTERM: the JVM ran its shutdown hooks and exited"
               if code == 143 else f"exit code {code}")
        return f"PID 1 is `{first[:60]}`; stopped in {res['stop_seconds']:.2f} s, {how}"
    finally:
        R.remove(app)


def debug_image(client) -> str:
    """A small image with bash for the sidecar: the Debian slim image of the active set."""
    for name in ("sizedrop.invalid/debian:trixie-slim", "debian:trixie-slim"):
        try:
            client.images.get(name)
            return name
        except Exception:
            continue
    return "debian:trixie-slim"


SIDECAR_SCRIPT = (
    "echo \"PID 1 of the app: $(tr '\\0' ' ' < /proc/1/cmdline)\"; "
    "exec 3<>/dev/tcp/127.0.0.1/8080; "
    "printf 'GET /healthz HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n' >&3; "
    "echo \"its /healthz over the shared network: $(tail -n 1 <&3)\"")


def sidecar_command(container: str = "APP", image: str = "debian:trixie-slim") -> str:
    return (f"docker run --rm --pid=container:{container} --network=container:{container} "
            f"{image} bash -c '{SIDECAR_SCRIPT}'")


def sidecar(client, tag: str) -> str:
    """Run the app, then a Debian container sharing its PID and network namespaces."""
    from . import run as R

    app = R.start(client, tag, purpose=PURPOSE)
    try:
        R.wait_healthy(app)
        out = client.containers.run(
            debug_image(client), ["bash", "-c", SIDECAR_SCRIPT], remove=True,
            pid_mode=f"container:{app.container.id}",
            network_mode=f"container:{app.container.id}",
            labels=L.container_labels(PURPOSE), cap_drop=["ALL"])
        return out.decode(errors="replace").strip()
    finally:
        R.remove(app)


HARDENING_SCRIPT = ("echo \"uid: $(id -u)\"; grep CapEff /proc/self/status; "
                    "touch /app/changed 2>&1 || true; touch /tmp/scratch && echo '/tmp is writable'")


def hardening(client, tag: str) -> str:
    """Inside the lab's safe defaults (read-only root, no capabilities): what can a shell do?"""
    from . import run as R

    out = client.containers.run(tag, ["-c", HARDENING_SCRIPT], entrypoint=["sh"], remove=True,
                                labels=L.container_labels(PURPOSE),
                                **{k: v for k, v in R.SAFE_DEFAULTS.items()})
    return out.decode(errors="replace").strip()


PROBES = {"shell": shell, "user": user, "healthcheck": healthcheck,
          "health": health_status, "pid1": pid1, "sidecar": sidecar, "hardening": hardening}

# Which probe is recorded for which variants (all others: every variant).
_ONLY = {"sidecar": ("distroless",), "hardening": ("multi-stage",)}


def answers(client, tag: str, paths=ASKED) -> list[dict]:
    """Start the image once, ask every path, return one row per path."""
    from . import run as R

    with R.running(client, tag, purpose=PURPOSE) as app:
        rows = []
        for p in paths:
            r = app.get(p)
            rows.append({"path": p, "status": r.status,
                         "body": r.body.decode(errors="replace").strip()})
        return rows


def record_extras(client, image_set: str, out_dir) -> None:
    """Measure, live, what replay mode needs beyond the tables record.py writes itself; write CSVs to out_dir."""
    import pandas as pd

    from . import challenge, explorer
    from .catalog import variants

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    todo = variants()
    probe_rows, answer_rows, file_frames = [], [], []
    for v in todo:
        tag = v.tag(image_set)
        print(f"   probes: {v}", flush=True)
        for name, fn in PROBES.items():
            if name in _ONLY and v.variant not in _ONLY[name]:
                continue
            try:
                result = fn(client, tag)
            except Exception as err:  # a probe that fails is an outcome too
                result = f"probe failed: {str(err).splitlines()[0][:200]}"
            probe_rows.append({"probe": name, "language": v.language, "variant": v.variant,
                               "result": result})
        for row in answers(client, tag):
            answer_rows.append({"language": v.language, "variant": v.variant, **row})
        f = explorer.folders_live(client, tag)
        f.insert(0, "variant", v.variant)
        f.insert(0, "language", v.language)
        file_frames.append(f)
    pd.DataFrame(probe_rows).to_csv(out / "probes.csv", index=False)
    pd.DataFrame(answer_rows).to_csv(out / "answers.csv", index=False)
    pd.concat(file_frames, ignore_index=True).to_csv(out / "files.csv", index=False)
    print("   challenge checks", flush=True)
    challenge.record(client, image_set, out)
