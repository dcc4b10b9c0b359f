"""Answers off the screen (issue 20, part 1), offline.

* The reference solutions live in instructor/, and no file under notebooks/ (notebook cells
  included) holds a key line of one: a line of a reference that no starting point has.
* The reveal gate: ``solution`` opens after two DIFFERENT failed attempts (the same folder
  checked twice counts once), logs every check and every reveal, and in replay shows the
  reference saying why.
* Graded hints: no hint of any check, at either grade, contains a reference's key line or its
  key fragment, and the second grade only comes with a different failed attempt.
"""

from __future__ import annotations

import json
import re

import pytest
from lessons import catalog, challenge, exercises, progress

ROOT = catalog.REPO_ROOT
REFERENCES = sorted(p for p in (ROOT / "instructor" / "solutions").rglob("*") if p.is_file()) \
    + sorted((ROOT / "instructor" / "transfer").glob("*.dockerfile"))
# What each exercise is about, in the few characters that give it away.
KEY_FRAGMENTS = {
    "01-dockerignore": ["!**/*.go", "!go.mod"],
    "02-layer-order": ["COPY requirements.txt ./\nRUN"],
    "03-distroless-health": ['CMD ["/app/server", "-healthcheck"]',
                             "FROM ${DISTROLESS_STATIC_IMAGE} AS runtime"],
    "04-strip-binary": ['-ldflags="-s -w"', "-ldflags=-s"],
    "05-wasted-bytes": ["--mount=type=bind,source=assets.tar.gz", "ADD assets.tar.gz"],
    "06-scratch": ["CGO_ENABLED=0", "/usr/share/zoneinfo /usr/share/zoneinfo",
                   "COPY --from=trust"],
    "07-challenge": ["FROM ${DISTROLESS_BASE_IMAGE} AS runtime", "jdk.charsets,jdk.localedata",
                     '"-m", "notes"]'],
}


def _norm(line: str) -> str:
    return re.sub(r"\s+", " ", line.strip().rstrip("\\").strip())


def _lines(path) -> set[str]:
    return {_norm(x) for x in path.read_text().splitlines()
            if _norm(x) and not _norm(x).startswith("#")}


def _starting_points() -> set[str]:
    starts = [p for p in (ROOT / "notebooks" / "exercises").rglob("*") if p.is_file()]
    starts += list((ROOT / "notebooks" / "transfer").glob("*/single-stage.dockerfile"))
    return set().union(*(_lines(p) for p in starts))


def key_lines() -> dict[str, set[str]]:
    """Per reference file, its lines that no starting point has (ARGs and short lines such as
    `COPY . .` excluded: they say nothing about the answer)."""
    given = _starting_points()
    out = {}
    for ref in REFERENCES:
        keys = {x for x in _lines(ref) - given
                if not x.startswith("ARG ") and (len(x) >= 12 or x.startswith("!"))}
        out[ref.relative_to(ROOT).as_posix()] = keys
    return out


def _learner_texts():
    for path in sorted((ROOT / "notebooks").rglob("*")):
        if not path.is_file() or ".ipynb_checkpoints" in path.parts:
            continue
        if path.suffix == ".ipynb":
            for cell in json.loads(path.read_text())["cells"]:
                yield f"{path.name} cell {cell.get('id')}", "".join(cell["source"])
        else:
            try:
                yield path.relative_to(ROOT).as_posix(), path.read_text()
            except UnicodeDecodeError:
                continue


def test_every_exercise_has_its_reference_and_mistake_outside_the_learners_tree():
    for ex_id, ex in exercises.EXERCISES.items():
        for which in ("solution", "mistake"):
            folder = ex.files(which)
            assert folder.is_file() or any(folder.iterdir()), (ex_id, which)
            assert "notebooks" not in folder.relative_to(ROOT).parts, folder
    assert not list((ROOT / "notebooks").rglob("solution*")), "a solution folder in notebooks/"
    assert not list((ROOT / "notebooks").rglob("mistake")), "a mistake folder in notebooks/"


def _given_to_copy(where: str) -> bool:
    """Notebook cells and the exercises' starting folders: where a learner works, no key line
    at all. Elsewhere under notebooks/ (the worked examples in demos/, the transfer apps' fat
    starting points) single instructions teach; a file must not hold enough of a reference to
    assemble it (three or more of its key lines, and more than half). An answer that is an
    ORDER of common lines (02's) is beyond what a line scan can see."""
    return where.endswith(".ipynb") or " cell " in where or where.startswith(
        "notebooks/exercises/")


def test_no_learner_notebook_or_file_holds_a_reference():
    keys = key_lines()
    assert all(keys.values()), f"a reference with no key line: {keys}"
    found = []
    for where, text in _learner_texts():
        lines = {_norm(x) for x in text.splitlines()}
        for ref, ref_keys in keys.items():
            shared = ref_keys & lines
            if shared and (_given_to_copy(where)
                           or (len(shared) >= 3 and 2 * len(shared) > len(ref_keys))):
                found.append(f"{where}: {len(shared)} of {len(ref_keys)} key lines of {ref}, "
                             f"e.g. {sorted(shared)[0]!r}")
    assert not found, "\n".join(found)


def test_no_learner_notebook_has_a_details_block():
    for where, text in _learner_texts():
        assert "<details>" not in text, where


def _all_guides() -> list[tuple[str, str]]:
    out = list(exercises.GUIDE.items()) + [(f"07-{k}", v) for k, v in challenge.GUIDE.items()]
    return [(k, text) for k, pair in out for text in pair]


@pytest.mark.parametrize("name, text", _all_guides())
def test_no_hint_at_any_grade_contains_a_reference_line(name, text):
    shown = _norm(text)
    for ref, keys in key_lines().items():
        for k in keys:
            assert k not in shown, f"hint {name} gives away {k!r} of {ref}"
    for fragments in KEY_FRAGMENTS.values():
        for frag in fragments:
            assert _norm(frag) not in shown, f"hint {name} gives away {frag!r}"


# ----------------------------------------------------------------------------- the gate


class _Source:
    def __init__(self, live=True):
        self.live = live

    def label(self):
        return "recorded 2026-12-07"

    def checks(self, exercise_id):
        import pandas as pd
        return pd.DataFrame([{"exercise": exercise_id, "which": "solution", "item": "builds",
                              "ok": True, "detail": "", "reason": "", "next_step": "",
                              "command": "docker build ..."}])


def _failing_check(source, ws, res):
    """A check that fails the way 04's does, for whatever is in the folder."""
    res.add("stripped binary", False, "3 MB; still has .symtab", "the binary still carries "
            ".symtab", *exercises.GUIDE["strip"])


@pytest.fixture
def failing(monkeypatch, tmp_path):
    monkeypatch.setitem(exercises.CHECKS, "04-strip-binary", _failing_check)
    monkeypatch.setenv("LESSONS_WORK", str(tmp_path))
    return tmp_path


def _edit(root, text):
    (root / "04-strip-binary" / "Dockerfile").write_text(text)


def test_the_same_folder_checked_twice_is_one_attempt_and_gets_no_reveal(failing, capsys):
    first = exercises.check("04-strip-binary", _Source(), root=failing)
    again = exercises.check("04-strip-binary", _Source(), root=failing)
    assert not first.passed and not again.passed
    look, which = exercises.GUIDE["strip"]
    assert look in again.report() and which not in again.report(), "no new attempt, no more"
    assert progress.failed_attempts(failing, "04-strip-binary") == [
        progress.attempt_hash(failing / "04-strip-binary")]
    out = exercises.solution("04-strip-binary", _Source(), root=failing)
    assert out.startswith("not yet: 1 different failed attempt(s)")
    assert "go build" not in out and "-ldflags" not in out
    assert not [r for r in progress.records(failing) if r["event"] == "reveal"]


def test_two_different_failed_attempts_grade_the_hint_and_open_the_reference(failing, capsys):
    exercises.check("04-strip-binary", _Source(), root=failing)
    _edit(failing, "FROM scratch\n# a different try\n")
    second = exercises.check("04-strip-binary", _Source(), root=failing)
    look, which = exercises.GUIDE["strip"]
    assert look in second.report() and which in second.report()
    assert 'lab.solution(\'04-strip-binary\')` shows the reference' in second.report()
    shown = exercises.solution("04-strip-binary", _Source(), root=failing)
    assert shown.startswith("REFERENCE SOLUTION of 04-strip-binary (after 2 different")
    assert '-ldflags="-s -w"' in shown      # the reference itself, once asked for
    log = progress.records(failing, "04-strip-binary")
    assert [r["event"] for r in log] == ["check", "check", "reveal"]
    assert len({r["attempt"] for r in log[:2]}) == 2
    assert all(r["session"] and r["time"] and r["passed"] is False for r in log[:2])
    assert log[2]["failed_attempts"] == 2 and log[2]["source"] == "live"


def test_a_passing_check_is_logged_and_opens_nothing(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(exercises.CHECKS, "04-strip-binary",
                        lambda source, ws, res: res.add("stripped binary", True, "2 MB"))
    res = exercises.check("04-strip-binary", _Source(), root=tmp_path)
    assert res.passed and not res.help
    [rec] = progress.records(tmp_path)
    assert rec["event"] == "check" and rec["passed"] is True and rec["source"] == "live"
    assert exercises.solution("04-strip-binary", _Source(), root=tmp_path).startswith("not yet")
    assert exercises.hint("04-strip-binary", root=tmp_path).endswith("passed: nothing to hint")


def test_replay_shows_the_reference_and_says_that_nothing_was_attempted(tmp_path, capsys):
    res = exercises.check("03-distroless-health", _Source(live=False), root=tmp_path)
    assert not res.judged
    shown = exercises.solution("03-distroless-health", _Source(live=False), root=tmp_path)
    assert "replay mode: no Docker engine here, so nothing can be attempted" in shown
    assert 'CMD ["/app/server", "-healthcheck"]' in shown
    events = [(r["event"], r["source"]) for r in progress.records(tmp_path)]
    assert events == [("check", "replay"), ("reveal", "replay")]
    assert progress.failed_attempts(tmp_path, "03-distroless-health") == []


def test_hint_repeats_the_last_failed_check(failing, capsys):
    assert exercises.hint("04-strip-binary", root=failing).startswith("no check of your")
    exercises.check("04-strip-binary", _Source(), root=failing)
    text = exercises.hint("04-strip-binary", root=failing)
    assert "the binary still carries .symtab" in text
    assert exercises.GUIDE["strip"][0] in text and "1 of the 2" in text


def test_a_damaged_log_line_is_skipped(tmp_path):
    progress.append(tmp_path, "check", "x", source="live", passed=False, attempt="a")
    with progress.log_path(tmp_path).open("a") as f:
        f.write("{cut short\n")
    progress.append(tmp_path, "check", "x", source="live", passed=False, attempt="b")
    assert progress.failed_attempts(tmp_path, "x") == ["a", "b"]
    assert progress.may_reveal(tmp_path, "x")


def test_the_attempt_hash_ignores_what_the_lab_adds(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    before = progress.attempt_hash(tmp_path)
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / "x.whl").write_bytes(b"wheel")
    assert progress.attempt_hash(tmp_path) == before
    (tmp_path / "Dockerfile").write_text("FROM scratch\nUSER 1\n")
    assert progress.attempt_hash(tmp_path) != before


@pytest.mark.parametrize("task", ["03-locked-down", "06-build-checks"])
def test_composed_goals_and_the_build_checks_fix_open_through_the_same_gate(
        task, monkeypatch, tmp_path):
    """A goal (lessons.goals) and the build-checks fix log their checks in the same progress
    log; an empty cell (nothing to judge) is no attempt; two different failures open the
    reference from instructor/solutions/, and the reveal is logged."""
    monkeypatch.setenv("LESSONS_WORK", str(tmp_path))
    refused = exercises.solution(task, _Source())
    assert refused.startswith("not yet: 0 different failed attempt(s)")
    progress.append(tmp_path, "check", task, source="live", passed=False, attempt="",
                    reason="nothing by the goal's name on the engine")
    progress.append(tmp_path, "check", task, source="live", passed=False, attempt="aaaa",
                    reason="the root filesystem is writable")
    assert exercises.solution(task, _Source()).startswith("not yet: 1 different")
    assert "the root filesystem is writable" in exercises.hint(task)
    progress.append(tmp_path, "check", task, source="live", passed=False, attempt="bbbb",
                    reason="it runs as root")
    shown = exercises.solution(task, _Source())
    assert shown.startswith(f"REFERENCE SOLUTION of {task} (after 2 different")
    reference = sorted((ROOT / "instructor" / "solutions" / task).iterdir())[0]
    assert reference.read_text().strip().splitlines()[-1] in shown
    assert [r["event"] for r in progress.records(tmp_path, task)][-1] == "reveal"


def test_an_unknown_task_is_one_line_naming_it(monkeypatch, tmp_path):
    monkeypatch.setenv("LESSONS_WORK", str(tmp_path))
    with pytest.raises(exercises.LabError, match="no exercise called '03-lockeddown'"):
        exercises.solution("03-lockeddown", _Source())
