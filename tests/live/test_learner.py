"""A learner does every hands-on exercise of notebooks 01-07, live, twice: once with the
typical mistake (the check must say FAIL and name the reason) and once with the reference
solution (the check must say PASS). Each runs in a work folder of its own, built with the
command the notebook shows."""

from __future__ import annotations

import pytest

from lessons import exercises, lab
from lessons.sources import LiveSource

# What the one-line reason must mention for the typical mistake of each exercise.
MISTAKE_REASON = {
    "01-dockerignore": "build context is still",
    "02-layer-order": "pip install ran again after a source-only change",
    "03-distroless-health": "unhealthy",
    "04-strip-binary": ".symtab",
    "05-wasted-bytes": "still ship",
    "06-scratch": "no CA certificates",
    "07-challenge-go": "no such file or directory",
    "07-challenge-java": "over the",
    "07-challenge-python": "no such file or directory",
}


@pytest.fixture(scope="module")
def source(client, image_set):
    lab.apply_build_env(lab.build_env(client, image_set))
    return LiveSource(client, image_set)


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("work")


def test_every_exercise_is_simulated():
    assert set(MISTAKE_REASON) == set(exercises.EXERCISES)


@pytest.mark.parametrize("exercise", list(MISTAKE_REASON))
def test_typical_mistake_fails_with_its_reason(exercise, source, work, build):
    if exercise.startswith("07-"):
        build_reference(build, exercise)
    res = exercises.simulate(exercise, source, "mistake", work)
    print(res.report())
    assert not res.passed, f"{exercise}: the typical mistake passed the check"
    assert MISTAKE_REASON[exercise] in res.reason, res.report()
    assert res.next_step, f"{exercise}: no next step given"


@pytest.mark.parametrize("exercise", list(MISTAKE_REASON))
def test_reference_solution_passes(exercise, source, work, build):
    if exercise.startswith("07-"):
        build_reference(build, exercise)
    res = exercises.simulate(exercise, source, "solution", work)
    print(res.report())
    assert res.passed, res.report()


def build_reference(build, exercise):
    """The challenge's target is measured on the series' own distroless image."""
    from lessons import catalog
    build(catalog.Variant(exercise.rsplit("-", 1)[1], "distroless"))


def test_the_challenge_check_builds_its_missing_reference_image(source, work, build, capsys):
    """After `python -m lessons clean`, or on a machine that skipped notebooks 01-06, the
    series' distroless image is missing: the check builds it (once) instead of failing."""
    from lessons import catalog
    ref = catalog.Variant("go", "distroless").tag(source.image_set)
    build_reference(build, "07-challenge-go")
    source.client.images.remove(ref)                 # untag only: the lab made it (labelled)
    res = exercises.simulate("07-challenge-go", source, "solution", work)
    assert "which this engine does not have yet: building it (once)" in capsys.readouterr().out
    assert res.passed, res.report()
    assert source.client.images.get(ref).labels.get("sizedrop.managed") == "true"
