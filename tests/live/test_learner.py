"""A learner does every hands-on exercise of notebooks 01-07, live: the typical mistake (the
check must say FAIL, name the reason and say what to look at), a second wrong attempt of
another kind (instructor/mistakes/<id>/second/: its own reason; the reference opens after it),
and the reference solution (the check must say PASS, its run items included: the engine's
health verdict and the stop). No check output before the reveal holds a key line of the
reference. Each runs in a work folder of its own, built with the command the notebook shows."""

from __future__ import annotations

import pytest

from lessons import exercises, lab, progress
from lessons.sources import LiveSource
from tests.unit.test_answers import KEY_FRAGMENTS, _norm, key_lines

# What the one-line reason must mention for the typical mistake of each exercise.
MISTAKE_REASON = {
    "01-dockerignore": "build context is still",
    "02-layer-order": "pip install ran again after a source-only change",
    "03-distroless-health": "unhealthy",
    "04-strip-binary": ".symtab",
    "05-wasted-bytes": "still ship",
    "06-scratch": "app cases",
    "07-challenge-go": "no such file or directory",
    "07-challenge-java": "app cases",
    "07-challenge-python": "in shell form",
}

# What the one-line reason must mention for the second mistake, of another kind.
SECOND_REASON = {
    "01-dockerignore": "it does not build",
    "02-layer-order": "pip install ran again after a source-only change",
    "03-distroless-health": "curl",
    "04-strip-binary": "it does not build",
    "05-wasted-bytes": "written in one layer and deleted in another",
    "06-scratch": "zone",
}
# The items every check of 01-06 reads on the running image (05's is a job that ends).
RUN_ITEMS = {"engine health verdict", "stops on SIGTERM"}
JOB_ITEMS = {"engine health verdict", "ends with exit 0"}


@pytest.fixture(scope="module")
def source(client, image_set):
    lab.apply_build_env(lab.build_env(client, image_set))
    return LiveSource(client, image_set)


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("work")


def test_every_exercise_is_simulated():
    assert set(MISTAKE_REASON) == set(exercises.EXERCISES)
    assert set(SECOND_REASON) == {e for e in exercises.EXERCISES if not e.startswith("07-")}


@pytest.mark.parametrize("exercise", list(MISTAKE_REASON))
def test_typical_mistake_fails_with_its_reason(exercise, source, work):
    res = exercises.simulate(exercise, source, "mistake", work)
    print(res.report())
    assert not res.passed, f"{exercise}: the typical mistake passed the check"
    assert MISTAKE_REASON[exercise] in res.reason, res.report()
    assert res.next_step, f"{exercise}: no next step given"
    assert "which instruction" not in res.report()
    _gives_nothing_away(exercise, res.report())
    assert exercises.solution(exercise, source, work).startswith("not yet: 1 different")

    # A second wrong attempt, of another kind (07's: the same mistake with a note added).
    ex = exercises.get(exercise)
    if exercise in SECOND_REASON:
        again = exercises.simulate(exercise, source, "second", work)
        expected = SECOND_REASON[exercise]
    else:
        edited = next(p for p in ex.files("mistake").rglob("*") if p.is_file())
        mine = work / exercise / edited.relative_to(ex.files("mistake"))
        mine.write_text(mine.read_text() + "\n# second try\n")
        again = exercises.check(exercise, source, root=work, quiet=True)
        expected = MISTAKE_REASON[exercise]
    print(again.report())
    assert not again.passed and expected in again.reason, again.report()
    assert again.next_step, f"{exercise}: no next step for the second attempt"
    guide = {"01-dockerignore": "context-excluded",   # the Dockerfile builds: the context
             "05-wasted-bytes": "waste-moved"}.get(exercise)   # no archive: moved files
    if guide:
        assert again.next_step.startswith(exercises.GUIDE[guide][0]), again.report()
    _gives_nothing_away(exercise, again.report())
    assert len(progress.failed_attempts(work, exercise)) >= 2
    assert exercises.solution(exercise, source, work).startswith("REFERENCE SOLUTION")


@pytest.mark.parametrize("exercise", list(MISTAKE_REASON))
def test_reference_solution_passes(exercise, source, work):
    res = exercises.simulate(exercise, source, "solution", work)
    print(res.report())
    assert res.passed, res.report()
    if exercise in SECOND_REASON:
        wanted = JOB_ITEMS if exercise == "05-wasted-bytes" else RUN_ITEMS
        assert wanted <= {name for name, _, _ in res.items}, res.report()


def _gives_nothing_away(exercise: str, report: str) -> None:
    ref = exercises.get(exercise).files("solution").relative_to(exercises.catalog.REPO_ROOT)
    shown = _norm(report)
    for path, keys in key_lines().items():
        if path.startswith(ref.as_posix()):
            leaked = [k for k in keys if k in shown]
            assert not leaked, f"{exercise}: the check printed {leaked}"
    for frag in KEY_FRAGMENTS[exercise[:12] if exercise.startswith("07") else exercise]:
        assert _norm(frag) not in shown, f"{exercise}: the check printed {frag!r}"
