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
