"""The workshop challenge (notebook 07): slim a fat Dockerfile below a measured target.

``check(language, dockerfile_path)`` builds the file with the app folder as context, runs the
image the lab's safe way, asks it the contract basics, and compares its size with the target.
Targets are not typed in: they are ``TARGET_FACTOR`` times the measured size of our own
distroless variant of the same app, rounded up to two significant figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import build as B
from . import catalog, imagesets, recorded
from . import lab as L
from . import run as R
from . import sizes as Z
from . import wheels as W
from .errors import LabError

HERE = catalog.REPO_ROOT / "notebooks" / "challenge"
TARGET_FACTOR = 1.5
REFERENCE_VARIANT = "distroless"

# What the checked image must answer (a subset of sample_apps/README.md).
EXPECTED = {
    "/healthz": (200, {"status": "ok"}),
    "/primes?n=30": (200, {"n": 30, "count": 10, "largest": 29}),
    "/primes?n=abc": (400, {"error": "n must be an integer"}),
}


def starting_point(language: str) -> Path:
    return HERE / f"{language}.dockerfile"


def solution(language: str) -> Path:
    return HERE / "solutions" / f"{language}.dockerfile"


def target_mb(sizes: pd.DataFrame, language: str) -> float:
    """TARGET_FACTOR x our distroless image of ``language`` (uncompressed), rounded up."""
    row = sizes[(sizes["language"] == language) & (sizes["variant"] == REFERENCE_VARIANT)]
    if not len(row):
        raise LabError(f"no measured size for {language}/{REFERENCE_VARIANT}",
                       "build it first: lab.build(language, 'distroless')")
    raw = float(row["uncompressed_mb"].iloc[0]) * TARGET_FACTOR
    step = 10 ** max(0, math.floor(math.log10(raw)) - 1)   # two significant figures
    return float(math.ceil(raw / step) * step)


def targets(sizes: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for lang in catalog.LANGUAGES:
        ref = sizes[(sizes["language"] == lang) & (sizes["variant"] == REFERENCE_VARIANT)]
        rows.append({"language": lang,
                     f"our {REFERENCE_VARIANT} MB": float(ref["uncompressed_mb"].iloc[0]),
                     "target MB": target_mb(sizes, lang)})
    return pd.DataFrame(rows)


@dataclass
class Result:
    language: str
    dockerfile: str
    size_mb: float = float("nan")
    target_mb: float = float("nan")
    user: str = ""
    checks: dict = field(default_factory=dict)   # name -> (passed, detail)
    source: str = "live"

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(ok for ok, _ in self.checks.values())

    def report(self) -> str:
        head = "PASS" if self.passed else "FAIL"
        lines = [f"{head}: {self.language} challenge, {self.dockerfile}"
                 + ("" if self.source == "live" else f"  [{self.source}]")]
        for name, (ok, detail) in self.checks.items():
            lines.append(f"  [{'x' if ok else ' '}] {name}: {detail}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<challenge {self.language}: {'PASS' if self.passed else 'FAIL'}, "
                f"{self.size_mb:.1f} MB>")


def _non_root(user: str) -> bool:
    u = (user or "").split(":")[0].strip()
    return u not in ("", "0", "root")


def _tag(language: str) -> str:
    return f"sizedrop.invalid/challenge-{language}:latest"


def check_live(client, image_set: str, language: str, dockerfile, sizes=None,
               on_step=None) -> Result:
    dockerfile = Path(dockerfile).resolve()
    v = catalog.Variant(language, "single-stage")
    extra = W.offline_args() if language == "python" and L.pip_offline(image_set) else {}
    if extra and not W.have_wheels():
        from . import engine as E
        W.download(E.describe(client)["architecture"])
    args = imagesets.build_args(dockerfile, image_set, extra)
    res = Result(language, _rel(dockerfile))
    if sizes is not None:
        res.target_mb = target_mb(sizes, language)
    try:
        built = B.build(client, v.context, dockerfile, _tag(language), buildargs=args,
                        labels={"sizedrop.built-for": "challenge"}, on_step=on_step)
    except LabError as err:
        res.checks["builds"] = (False, err.message)
        return res
    res.checks["builds"] = (True, f"in {built.seconds:.0f} s")
    layers = Z.layer_sizes(client, _tag(language))
    res.size_mb = round(sum(x.size for x in layers) / Z.MB, 1)
    res.user = client.images.get(_tag(language)).attrs["Config"].get("User") or ""
    try:
        with R.running(client, _tag(language), purpose="notebook", timeout=60) as app:
            wrong = []
            for path, (status, body) in EXPECTED.items():
                r = app.get(path)
                try:
                    got = r.json()
                except ValueError:
                    got = r.body[:60]
                if r.status != status or got != body:
                    wrong.append(f"{path} -> {r.status} {got}")
            root = app.get("/").json().get("language")
            if root != language:
                wrong.append(f"/ says language={root!r}")
            res.checks["answers the contract"] = (
                not wrong, "; ".join(wrong) if wrong else
                f"healthy after {app.healthy_after:.1f} s under the lab's safe defaults "
                "(read-only, no capabilities)")
    except LabError as err:
        res.checks["answers the contract"] = (False, err.message)
    res.checks["runs as non-root"] = (_non_root(res.user),
                                      f"USER is {res.user or 'not set (root)'}")
    if res.target_mb == res.target_mb:
        res.checks["small enough"] = (res.size_mb <= res.target_mb,
                                      f"{res.size_mb:.1f} MB, target {res.target_mb:.0f} MB")
    return res


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(catalog.REPO_ROOT))
    except ValueError:
        return str(path)


def check_recorded(language: str, which: str) -> Result:
    """Replay: the recorded check of the starting point ('start') or the solution."""
    df = recorded.load("challenge")
    sub = df[(df["language"] == language) & (df["which"] == which)]
    res = Result(language, sub["dockerfile"].iloc[0] if len(sub) else which,
                 source=recorded.label())
    for _, r in sub.iterrows():
        res.checks[r["check"]] = (bool(r["passed"]), str(r["detail"]))
        res.size_mb = float(r["size_mb"])
        res.target_mb = float(r["target_mb"])
    return res


def record(client, image_set: str, out_dir) -> None:
    """Check the starting points and the solutions live; write challenge.csv."""
    from .catalog import variants
    prov = L.provenance(client, image_set)
    rows_sizes = [{"language": v.language, "variant": v.variant,
                   **L.measure_image(client, v.tag(image_set), prov)}
                  for v in variants(None, REFERENCE_VARIANT)]
    sizes = pd.DataFrame(rows_sizes)
    rows = []
    for lang in catalog.LANGUAGES:
        for which, path in (("start", starting_point(lang)), ("solution", solution(lang))):
            res = check_live(client, image_set, lang, path, sizes)
            for name, (ok, detail) in res.checks.items():
                rows.append({"language": lang, "which": which, "dockerfile": res.dockerfile,
                             "check": name, "passed": ok, "detail": detail,
                             "size_mb": res.size_mb, "target_mb": res.target_mb})
        remove_image(client, lang)
    pd.DataFrame(rows).to_csv(Path(out_dir) / "challenge.csv", index=False)


def remove_image(client, language: str) -> None:
    try:
        client.images.remove(_tag(language))
    except Exception:
        pass
