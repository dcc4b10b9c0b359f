"""Session-wide test settings: markers and ordering (the fixtures live in tests/conftest.py).

* ``live``: needs a Docker engine. Everything under ``tests/live/`` and every notebook run by
  nbval is marked live here, so ``pytest -m "not live"`` runs the fast tests with no engine.
* ``destructive``: removes every lab image on the engine (the cleanup tests). Opt-in: they run
  only with ``LESSONS_DESTRUCTIVE=1`` (set by .ci/run), so a contributor's ``pytest`` never
  wipes the images they built; otherwise they are skipped and the skip says why.
"""

import os

import pytest


def _destructive_allowed() -> bool:
    return os.environ.get("LESSONS_DESTRUCTIVE", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        path = item.path.as_posix()   # forward slashes on Windows, too
        if "/tests/live/" in path or path.endswith(".ipynb"):
            item.add_marker(pytest.mark.live)
        if item.get_closest_marker("destructive") and not _destructive_allowed():
            item.add_marker(pytest.mark.skip(
                reason="destructive (removes every lab image): set LESSONS_DESTRUCTIVE=1"))
    # Destructive tests remove the lab's images; running them last keeps the build cache warm
    # for every other test and notebook.
    items.sort(key=lambda item: item.get_closest_marker("destructive") is not None)


# ----------------------------------------------------------------------------- notebook times
# With LESSONS_TIMES=FILE, every notebook cell nbval runs is timed, and FILE gets one row per
# cell (notebook, cell, whether it runs an exercise check, seconds): the measured side of
# notebooks/README's minutes (`python -m lessons times FILE` sums them per notebook).
_CELL_TIMES: list[dict] = []


def pytest_runtest_logreport(report):
    if report.when != "call" or not os.environ.get("LESSONS_TIMES"):
        return
    path, _, cell = report.nodeid.partition("::")
    if not path.endswith(".ipynb"):
        return
    _CELL_TIMES.append({"notebook": os.path.basename(path), "cell": cell,
                        "check": _CHECK_CELLS.get(report.nodeid, False),
                        "seconds": round(report.duration, 2), "outcome": report.outcome})


_CHECK_CELLS: dict[str, bool] = {}


def pytest_runtest_setup(item):
    cell = getattr(item, "cell", None)
    if cell is not None and os.environ.get("LESSONS_TIMES"):
        _CHECK_CELLS[item.nodeid] = "lab.check(" in "".join(cell.get("source", ""))


def pytest_sessionfinish(session, exitstatus):
    target = os.environ.get("LESSONS_TIMES")
    if not target or not _CELL_TIMES:
        return
    import csv

    with open(target, "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(_CELL_TIMES[0]))
        writer.writeheader()
        writer.writerows(_CELL_TIMES)
