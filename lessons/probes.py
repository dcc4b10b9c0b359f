"""Small experiments on an image whose outcome is text: does it have a shell? which user does
it run as? how does it stop? what does a debugging sidecar see?

Each probe comes with the docker commands it stands for (``COMMANDS[name](image)``), generated
from the same values the probe passes to the engine, so a learner can run it by hand.
"""


from __future__ import annotations

import shlex
import time

from docker.errors import APIError, DockerException

from . import engine, run, session
from .errors import explain
from .labels import container_labels

PURPOSE = "probe"

# The requests the notebooks ask every variant (recorded for replay, one row each).
ASKED = ("/", "/healthz", "/primes?n=30", "/primes?n=abc", "/nope")

SHELL_TEST = ["-c", "echo I am a shell in $(pwd)"]


def shell(client, tag: str) -> str:
    """Start the image with `sh` as its entrypoint: what happens?"""
    c = client.containers.create(tag, SHELL_TEST, entrypoint=["sh"],
                                 labels=container_labels(PURPOSE))
    try:
        c.start()
        code = c.wait(timeout=30).get("StatusCode")
        out = c.logs().decode(errors="replace").strip()
        return f"a shell ran: {out}" if code == 0 else f"exit code {code}: {out}"
    except APIError as err:
        text = explain(err).message
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


def entrypoint(client, tag: str) -> str:
    """ENTRYPOINT and CMD as the engine stores them: a JSON list is exec form; shell form is
    stored as ["/bin/sh", "-c", "..."]."""
    cfg = client.images.get(tag).attrs["Config"]
    ep, cmd = cfg.get("Entrypoint") or [], cfg.get("Cmd") or []
    shell_form = ep[:2] == ["/bin/sh", "-c"] or (not ep and cmd[:2] == ["/bin/sh", "-c"])
    return (f"Entrypoint {ep or 'none'}, Cmd {cmd or 'none'}"
            + (" (shell form: needs /bin/sh)" if shell_form else ""))


def health_status(client, tag: str, timeout: float = 45.0) -> str:
    """Start the image (safe defaults) and wait for the engine's own verdict on HEALTHCHECK."""
    app = run.start(client, tag, purpose=PURPOSE)
    try:
        def verdict():
            app.container.reload()
            status = (app.container.attrs["State"].get("Health") or {}).get("Status", "none")
            return status if status in ("healthy", "unhealthy", "none") else None

        try:
            status = engine.wait_until(verdict, timeout, 0.5, "a health verdict")
        except TimeoutError:
            status = "starting"
        return f"{status} after {time.monotonic() - app.started:.1f} s"
    finally:
        run.remove(app)


def pid1(client, tag: str) -> str:
    """Start the image and stop it with SIGTERM: who is PID 1 and how long did it take?"""
    app = run.start(client, tag, purpose=PURPOSE)
    try:
        run.wait_healthy(app)
        top = client.api.top(app.container.id)
        first = top["Processes"][0][top["Titles"].index("CMD")] if top.get("Processes") else "?"
        res = run.stop(app, timeout=10)
        code = res["exit_code"]
        how = ("killed by the engine after the grace period (exit 137 = 128 + SIGKILL)"
               if res["killed"] else
               "exit code 143 = 128 + SIGTERM: the process ended on the signal"
               if code == 143 else f"exit code {code}")
        return f"PID 1 is `{first[:60]}`; stopped in {res['stop_seconds']:.2f} s, {how}"
    finally:
        run.remove(app)


def debug_image(client) -> str:
    """A small image with a shell for the sidecar: the Debian slim image of the active set."""
    for name in ("sizedrop.invalid/debian:trixie-slim", "debian:trixie-slim"):
        try:
            client.images.get(name)
            return name
        except DockerException:
            continue
    return "debian:trixie-slim"


SIDECAR_SCRIPT = (
    "echo \"PID 1 of the app: $(tr '\\0' ' ' < /proc/1/cmdline)\"; "
    "exec 3<>/dev/tcp/127.0.0.1/8080; "
    "printf 'GET /healthz HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n' >&3; "
    "echo \"its /healthz over the shared network: $(tail -n 1 <&3)\"")


def sidecar_argv(container: str, image: str) -> list[str]:
    return ["docker", "run", "--rm", f"--pid=container:{container}",
            f"--network=container:{container}", "--cap-drop=ALL", image, "bash", "-c",
            SIDECAR_SCRIPT]


def sidecar(client, tag: str) -> str:
    """Run the app, then a Debian container sharing its PID and network namespaces."""
    app = run.start(client, tag, purpose=PURPOSE)
    try:
        run.wait_healthy(app)
        out = client.containers.run(
            debug_image(client), ["bash", "-c", SIDECAR_SCRIPT], remove=True,
            pid_mode=f"container:{app.container.id}",
            network_mode=f"container:{app.container.id}",
            labels=container_labels(PURPOSE), cap_drop=["ALL"])
        return out.decode(errors="replace").strip()
    finally:
        run.remove(app)


HARDENING_SCRIPT = ("echo \"uid: $(id -u)\"; grep CapEff /proc/self/status; "
                    "touch /app/changed 2>&1 || true; touch /tmp/scratch && echo /tmp is writable")


def hardening(client, tag: str) -> str:
    """Inside the lab's safe defaults (read-only root, no capabilities): what can a shell do?"""
    out = client.containers.run(tag, ["-c", HARDENING_SCRIPT], entrypoint=["sh"], remove=True,
                                labels=container_labels(PURPOSE), **run.SAFE_DEFAULTS)
    return out.decode(errors="replace").strip()


PROBES = {"shell": shell, "user": user, "healthcheck": healthcheck, "entrypoint": entrypoint,
          "health": health_status, "pid1": pid1, "sidecar": sidecar, "hardening": hardening}


def _join(*commands: list[str]) -> str:
    return "\n".join("$ " + shlex.join(c) for c in commands)


def _run_app(image: str) -> list[str]:
    """The app started under this session's name (lessons.session), as a person types it."""
    return run.run_command(image, name=session.named("app"), purpose=PURPOSE)


def _inspect(fmt: str, image: str) -> list[str]:
    return ["docker", "image", "inspect", "--format", fmt, image]


COMMANDS = {
    "shell": lambda image: _join(["docker", "run", "--rm", "--entrypoint", "sh", image]
                                 + SHELL_TEST),
    "user": lambda image: _join(_inspect("{{.Config.User}}", image)),
    "healthcheck": lambda image: _join(_inspect("{{json .Config.Healthcheck.Test}}", image)),
    "entrypoint": lambda image: _join(_inspect("{{json .Config.Entrypoint}} "
                                               "{{json .Config.Cmd}}", image)),
    "health": lambda image: _join(_run_app(image),
                                  ["docker", "inspect", "--format",
                                   "{{.State.Health.Status}}", session.named("app")]),
    "pid1": lambda image: _join(_run_app(image), ["docker", "top", session.named("app")],
                                ["docker", "stop", session.named("app")],
                                ["docker", "inspect", "--format", "{{.State.ExitCode}}",
                                 session.named("app")]),
    "sidecar": lambda image: _join(_run_app(image),
                                   sidecar_argv(session.named("app"),
                                                "sizedrop.invalid/debian:trixie-slim")),
    "hardening": lambda image: _join(["docker", "run", "--rm", "--entrypoint", "sh"]
                                     + run.run_flags() + [image, "-c", HARDENING_SCRIPT]),
}

# Which probe is recorded for which variants (all others: every variant).
ONLY = {"sidecar": ("distroless",), "hardening": ("multi-stage",)}


def answers(client, tag: str, paths=ASKED) -> list[dict]:
    """Start the image once, ask every path, return one row per path."""
    with run.running(client, tag, purpose=PURPOSE) as app:
        rows = []
        for p in paths:
            r = app.get(p)
            rows.append({"path": p, "status": r.status,
                         "body": r.body.decode(errors="replace").strip()})
        return rows
