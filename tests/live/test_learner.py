"""A learner does every hands-on exercise of notebooks 01-07, live: the typical mistake (the
check must say FAIL, name the reason and say what to look at), a second, different wrong
attempt (the hint now names the instruction, and the reference opens), and the reference
solution (the check must say PASS). No check output before the reveal holds a key line of the
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
def test_typical_mistake_fails_with_its_reason(exercise, source, work):
    res = exercises.simulate(exercise, source, "mistake", work)
    print(res.report())
    assert not res.passed, f"{exercise}: the typical mistake passed the check"
    assert MISTAKE_REASON[exercise] in res.reason, res.report()
    assert res.next_step, f"{exercise}: no next step given"
    assert "which instruction" not in res.report()
    _gives_nothing_away(exercise, res.report())
    assert exercises.solution(exercise, source, work).startswith("not yet: 1 different")

    # A second, different wrong attempt: the same mistake with a note added to its file.
    ex = exercises.get(exercise)
    edited = next(p for p in ex.files("mistake").rglob("*") if p.is_file())
    mine = work / exercise / edited.relative_to(ex.files("mistake"))
    mine.write_text(mine.read_text() + "\n# second try\n")
    again = exercises.check(exercise, source, root=work, quiet=True)
    print(again.report())
    assert not again.passed and MISTAKE_REASON[exercise] in again.reason, again.report()
    _gives_nothing_away(exercise, again.report())
    assert len(progress.failed_attempts(work, exercise)) >= 2
    assert exercises.solution(exercise, source, work).startswith("REFERENCE SOLUTION")


@pytest.mark.parametrize("exercise", list(MISTAKE_REASON))
def test_reference_solution_passes(exercise, source, work):
    res = exercises.simulate(exercise, source, "solution", work)
    print(res.report())
    assert res.passed, res.report()


def _gives_nothing_away(exercise: str, report: str) -> None:
    ref = exercises.get(exercise).files("solution").relative_to(exercises.catalog.REPO_ROOT)
    shown = _norm(report)
    for path, keys in key_lines().items():
        if path.startswith(ref.as_posix()):
            leaked = [k for k in keys if k in shown]
            assert not leaked, f"{exercise}: the check printed {leaked}"
    for frag in KEY_FRAGMENTS[exercise[:12] if exercise.startswith("07") else exercise]:
        assert _norm(frag) not in shown, f"{exercise}: the check printed {frag!r}"
