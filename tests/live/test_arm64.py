"""arm64: the Go scratch image built for linux/arm64, run, asked the contract, its files read.

Runs where the engine can run arm64 images beside its own: natively on an arm64 engine, or
on an amd64 one with the containerd image store and QEMU registered in binfmt_misc with the
F flag (.ci/arm64-check.sh registers it). Anywhere else it is skipped, and the skip says what
is missing, even with LESSONS_REQUIRE_ENGINE=1: arm64 is an extra, and CI's gate for it is
.ci/arm64-check.sh, which builds the arm64 lookalikes it needs first.

Go scratch is the cheap one: the Dockerfile compiles on the build machine for the target
(GOARCH=$TARGETARCH), so nothing is emulated until the image runs, and it needs no arm64
lookalike. The whole arm64 run (every variant) is benchmarks/arm64.py.
"""

from __future__ import annotations

import pytest

from lessons import catalog, inventory, lab, localset, run
from lessons import platforms

from .contract_cases import CASES, RAW_CASES, answer_problems
from .test_apps import send_raw

V = catalog.Variant("go", "scratch")


@pytest.fixture(scope="module")
def arm64(client, image_set):
    target = platforms.resolve(client, "linux/arm64")
    problem = localset.cross_problem(client, target)
    if problem:
        pytest.skip(f"this engine cannot run linux/arm64 images: {problem}")
    lab.build_variant(client, V, image_set, target=target)
    return target, V.tag(image_set, target)


def test_the_image_and_its_program_are_arm64(arm64, client):
    target, tag = arm64
    assert client.images.get(tag).attrs["Architecture"] == "arm64"
    elf = inventory.elf_info(inventory.file_bytes(client, tag, "/app/server"))
    assert elf["machine"] == "arm64" and elf["static"], elf
    inv = inventory.of_image(client, tag)
    [server] = [b for b in inv.go_binaries if b["path"] == "/app/server"]
    assert server["goarch"] == "arm64", server


def test_answers_the_whole_contract_under_emulation(arm64, client):
    target, tag = arm64
    wrong = []
    with run.running(client, tag, purpose="test", platform=target.build_platform,
                     timeout=120) as app:
        for method, path, status, body in CASES:
            want = body.replace("{lang}", "go").encode()
            got = run.http(method, app.url + path, timeout=30)
            if got.status != status or got.body != want:
                wrong.append(f"{method} {path}: got {got.status} {got.body!r}")
        for case in RAW_CASES:
            wrong += answer_problems("go", case, send_raw(app.port, case[1], timeout=30))
        stopped = run.stop(app, timeout=10)
    assert not wrong, "\n".join(wrong)
    assert stopped["exit_code"] == 0, stopped
