"""One exception type for every failure a learner may meet, with the next step to take."""

from __future__ import annotations


class LabError(Exception):
    """A failure explained in one line, plus what to do about it.

    ``str(err)`` gives both, so a notebook that lets it escape still shows a short message;
    the CLI prints it without a traceback.
    """

    def __init__(self, message: str, hint: str = "", *, details: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details  # longer context (build log tail, container logs), shown after

    def __str__(self) -> str:  # pragma: no cover - formatting only
        text = self.message
        if self.hint:
            text += f"\n  next step: {self.hint}"
        if self.details:
            text += "\n" + self.details
        return text


class EngineUnavailable(LabError):
    """No Docker engine answers (not installed, not started, or the socket is not ours)."""


class ImageMissing(LabError):
    """An image the cell needs is not on the engine (not built yet, or removed)."""


class ImagesUnavailable(LabError):
    """Neither the official images nor the local lookalikes can be used."""


class BuildFailed(LabError):
    """``docker build`` stopped at an instruction."""

    def __init__(self, message: str, hint: str = "", *, details: str = "",
                 step: str = "", line: int | None = None, log_tail: list[str] | None = None):
        super().__init__(message, hint, details=details)
        self.step = step
        self.line = line
        self.log_tail = log_tail or []


class NeverHealthy(LabError):
    """A container started but never answered its health endpoint."""


class NotEnoughDisk(LabError):
    """Too little free disk for the builds ahead."""


class PortInUse(LabError):
    """The port asked for is taken on 127.0.0.1."""


# One table of what an engine's or a builder's message means and what to do about it. Each
# entry: (every one of these lower-case fragments appears in the message, the next step).
# build, run and engine errors all look here first; the first matching entry wins.
HINTS: list[tuple[tuple[str, ...], str]] = [
    (("no space left",),
     "free disk space: `python -m lessons clean` (only the lab's images), then "
     "`docker builder prune`"),
    (("pull access denied",), "a base image could not be pulled: no registry here? use the "
     "local image set (LESSONS_IMAGES=local, after `python -m lessons images --build-local`)"),
    (("no such host",), "a base image could not be pulled: no registry here? use the local "
     "image set (LESSONS_IMAGES=local, after `python -m lessons images --build-local`)"),
    (("manifest unknown",), "that image tag does not exist in the registry: check the name, or "
     "use the local image set (LESSONS_IMAGES=local)"),
    (("no match for platform",), "that image has no build for the platform asked (an "
     "amd64-only image on an arm64 Mac, or the other way round): use an image published for "
     "this platform, or build for one it has with --platform (emulated, slower)"),
    (("failed to resolve",), "a base image could not be resolved: no registry here? use the "
     "local image set (LESSONS_IMAGES=local, after `python -m lessons images --build-local`)"),
    (("failed to do request",), "the registry could not be reached: use the local image set "
     "(LESSONS_IMAGES=local, after `python -m lessons images --build-local`)"),
    (("unknown flag: link",), "this engine's built-in Dockerfile frontend is too old for "
     "COPY --link (Docker 20.10 has BuildKit 0.8): use a current engine or plain COPY"),
    (("unknown instruction", "<<"), "this engine's built-in Dockerfile frontend is too old for "
     "heredocs (Docker 20.10 has BuildKit 0.8): use a current engine or RUN lines"),
    (("exec", "no such file or directory"),
     "the entrypoint could not be started: the file, its interpreter or its dynamic loader is "
     "missing from the image (a cgo binary on scratch, a venv whose python points elsewhere, "
     "a shell-form command with no /bin/sh)"),
    (("executable file not found",), "that program is not in the image (distroless images "
     "have no shell): use exec form and a program the image has"),
    (("exec format error",), "the binary is for another CPU architecture (an amd64 image on "
     "an arm64 machine, or the other way round): build for this machine's platform"),
    (("port is already allocated",), "another container or program uses that port; stop it or "
     "let the engine pick one (-p 127.0.0.1::8080)"),
    (("address already in use",), "another container or program uses that port; stop it or "
     "let the engine pick one (-p 127.0.0.1::8080)"),
    (("is already in use by container",), "a container with that name exists: "
     "`docker rm -f NAME`, then run again"),
    (("permission denied", "docker.sock"), "add yourself to the 'docker' group (sudo usermod "
     "-aG docker $USER, then log in again) or use rootless Docker; never chmod the socket"),
    (("permission denied",), "a file the app needs is not readable or executable by its user"),
]


def hint_for(message: str, default: str = "") -> str:
    """The next step for an engine's or builder's message, from HINTS (or ``default``)."""
    text = message.lower()
    for fragments, hint in HINTS:
        if all(f in text for f in fragments):
            return hint
    return default
