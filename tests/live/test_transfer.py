"""The transfer services, built for real and checked by behaviour (lessons.behaviour).

For each service: the fat single-stage image behaves but is big; the instructor's reference
slim image passes every item; typical wrong slim images (tests/live/transfer_wrong/) fail on
the item they break, with reasons that never quote the reference's instructions.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from lessons import behaviour, build, imagesets, sizes, transfer
from lessons.catalog import REPO_ROOT

pytestmark = pytest.mark.live

REFERENCE_DIR = REPO_ROOT / "instructor" / "transfer"
WRONG_DIR = Path(__file__).parent / "transfer_wrong"

# wrong variant -> the behaviour item it must fail
WRONG = {
    "go-clock-distroless-bundle": "app cases",
    "go-clock-scratch-bare": "app cases",
    "go-clock-shell-health": "engine health verdict",
    "go-shelf-static-base": "starts on a read-only root",
    "go-shelf-scratch-static": "app cases",
    "python-notes-shell-form": "stops on SIGTERM",
    "python-notes-curl-health": "engine health verdict",
    "python-notes-root": "image user",
    "java-labels-jdeps-only": "app cases",
    "java-labels-curl-health": "engine health verdict",
}


@pytest.fixture(scope="module")
def session():
    return "test-" + secrets.token_hex(3)


@pytest.fixture(scope="module")
def image(client, image_set, session):
    """image(service, variant, dockerfile) -> tag, built once; the module removes its tags."""
    made: dict[tuple[str, str], str] = {}

    def _image(svc: transfer.Service, variant: str, dockerfile: Path) -> str:
        key = (svc.name, variant)
        if key not in made:
            tag = f"sizedrop-transfer/{svc.name}:{variant}-{session}"
            build.build(client, svc.folder, dockerfile, tag,
                        buildargs=imagesets.build_args(dockerfile, image_set),
                        labels={behaviour.SESSION_LABEL: session})
            made[key] = tag
        return made[key]

    yield _image
    for tag in made.values():
        client.images.remove(tag)


def reference_lines(svc: transfer.Service) -> list[str]:
    """The reference Dockerfile's instructions (comments and short lines aside)."""
    text = (REFERENCE_DIR / f"{svc.name}.dockerfile").read_text()
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#") and len(line.strip()) > 12]


@pytest.mark.parametrize("name", sorted(transfer.SERVICES))
def test_fat_image_behaves_but_is_big(client, image, session, name):
    svc = transfer.get(name)
    fat = image(svc, "fat", svc.fat_dockerfile)
    slim = image(svc, "reference", REFERENCE_DIR / f"{name}.dockerfile")
    result = behaviour.check(client, fat, svc, session, shell_free=False)
    print(result)
    assert result.passed, "\n".join(result.problems)
    fat_size, slim_size = sizes.measure(client, fat), sizes.measure(client, slim)
    print(f"{name}: fat {fat_size['uncompressed_mb']} MB ({fat_size['compressed_mb']} MB "
          f"gzipped), reference {slim_size['uncompressed_mb']} MB "
          f"({slim_size['compressed_mb']} MB gzipped)")
    assert fat_size["compressed_mb"] > 3 * slim_size["compressed_mb"]


@pytest.mark.parametrize("name", sorted(transfer.SERVICES))
def test_reference_passes_every_item(client, image, session, name):
    svc = transfer.get(name)
    tag = image(svc, "reference", REFERENCE_DIR / f"{name}.dockerfile")
    result = behaviour.check(client, tag, svc, session)
    print(result)
    assert result.passed, "\n".join(result.problems)
    assert {i.name for i in result.items} == {
        "image user", "process user", "engine health verdict", "app cases", "no shell",
        "stops on SIGTERM"}


@pytest.mark.parametrize("variant", sorted(WRONG))
def test_wrong_slim_image_fails_with_its_reason(client, image, session, variant):
    svc = next(s for n, s in transfer.SERVICES.items() if variant.startswith(n + "-"))
    tag = image(svc, variant, WRONG_DIR / f"{variant}.dockerfile")
    result = behaviour.check(client, tag, svc, session)
    print(result)
    assert not result.passed
    failed = {i.name for i in result.items if not i.passed}
    assert WRONG[variant] in failed, f"{variant} failed on {failed}, not {WRONG[variant]}"
    text = str(result)
    quoted = [line for line in reference_lines(svc) if line in text]
    assert not quoted, f"the check's output quotes the reference: {quoted}"


def test_check_leaves_nothing_behind(client, session):
    """Every container the checks above made is gone (they carry the session label)."""
    left = client.containers.list(all=True,
                                  filters={"label": f"{behaviour.SESSION_LABEL}={session}"})
    assert not left, [c.name for c in left]
