"""What the lab can build: three apps, their Dockerfile variants, and where they live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import LabError

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_APPS = REPO_ROOT / "sample_apps"

LANGUAGES = ("go", "java", "python")

# Variants in teaching order: each one is a step down in size from the one before.
VARIANTS = ("single-stage", "multi-stage", "distroless", "scratch", "jlink", "traced")

_VARIANTS_BY_LANGUAGE = {
    "go": ("single-stage", "multi-stage", "distroless", "scratch"),
    "java": ("single-stage", "multi-stage", "distroless", "jlink"),
    "python": ("single-stage", "multi-stage", "distroless", "traced"),
}

DESCRIPTIONS = {
    "single-stage": "one stage: the toolchain image builds and runs the app",
    "multi-stage": "build stage + slim runtime stage, non-root",
    "distroless": "build stage + distroless runtime: no shell, no package manager",
    "scratch": "a static binary on an empty image",
    "jlink": "a jlink runtime with only the modules the app uses, plus the C libraries it "
             "links, on distroless static",
    "traced": "only the files a traced run of the app loaded, on an empty image",
}


@dataclass(frozen=True)
class Variant:
    """One buildable image: an app in a language, built with one Dockerfile."""

    language: str
    variant: str

    @property
    def context(self) -> Path:
        return SAMPLE_APPS / self.language

    @property
    def dockerfile(self) -> Path:
        return self.context / f"{self.variant}.dockerfile"

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self.variant]

    @property
    def hardened(self) -> bool:
        """Runs as non-root (every variant but the naive single-stage)."""
        return self.variant != "single-stage"

    @property
    def shell_free(self) -> bool:
        """Has no shell at all (distroless-style finals)."""
        return self.variant in ("distroless", "scratch", "jlink", "traced")

    def tag(self, image_set: str | None = None, target=None) -> str:
        """Where the lab keeps this build: the same name whichever image set built it (the
        image's ``sizedrop.image-set`` label says which). ``image_set`` is accepted and
        ignored, for callers written when the set was part of the name. A ``target``
        platform that is not the engine's own (lessons.platforms.Target) adds its
        architecture: ``sizedrop.invalid/go-app:scratch-arm64``."""
        return f"sizedrop.invalid/{self.language}-app:{self.variant}" + \
            (getattr(target, "suffix", "") if target is not None else "")

    def __str__(self) -> str:
        return f"{self.language}/{self.variant}"


def variants(languages=None, names=None) -> list[Variant]:
    """The variants to work on, in teaching order, filtered by language and variant name.

    Unknown names raise a LabError listing what exists, instead of silently matching nothing;
    so does a choice that matches nothing (``"go"`` with ``"jlink"``).
    """
    langs = _check("language", languages, LANGUAGES)
    wanted = _check("variant", names, VARIANTS)
    found = [Variant(lang, v) for lang in langs for v in _VARIANTS_BY_LANGUAGE[lang]
             if v in wanted]
    if not found:
        raise LabError(f"{' and '.join(langs)} has no {' or '.join(wanted)} variant",
                       "; ".join(f"{lang}: {', '.join(_VARIANTS_BY_LANGUAGE[lang])}"
                                 for lang in langs))
    return found


def variant(language: str, name: str) -> Variant:
    """One variant, checked: an unknown language, or a variant that language has not got,
    is a LabError listing the names there are."""
    return variants(language, name)[0]


def _check(kind, given, known):
    if not given:
        return known
    if isinstance(given, str):
        given = [given]
    if not isinstance(given, (list, tuple, set, frozenset)):
        raise LabError(f"{kind} {given!r} is not a name", f"choose from: {', '.join(known)}")
    unknown = [g for g in given if g not in known]
    if unknown:
        raise LabError(f"unknown {kind} {', '.join(map(repr, unknown))}",
                       f"choose from: {', '.join(known)}")
    return tuple(g for g in known if g in given)


def variants_of(language: str) -> tuple[str, ...]:
    (lang,) = _check("language", language, LANGUAGES)
    return _VARIANTS_BY_LANGUAGE[lang]
