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
