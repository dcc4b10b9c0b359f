"""Shared fixtures.

Live tests need a Docker engine. Where none answers they are skipped, and the skip says so,
unless ``LESSONS_REQUIRE_ENGINE=1`` (set by .ci/run): then a missing engine is an error,
so CI can never pass by skipping what matters.
"""

from __future__ import annotations

import os
import shutil

import pytest

from lessons import catalog, cleanup, engine, imagesets, lab, session
from lessons.errors import LabError


def _required() -> bool:
    return os.environ.get("LESSONS_REQUIRE_ENGINE", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session", autouse=True)
def _own_session_folder():
    """The test run's temporary folder (lessons.session) goes when the run ends."""
    yield
    shutil.rmtree(session.tmp_path(session.current()), ignore_errors=True)


@pytest.fixture(scope="session")
def client():
    try:
        c = engine.connect()
    except LabError as err:
        if _required():
            pytest.fail(f"LESSONS_REQUIRE_ENGINE is set but: {err}", pytrace=False)
        pytest.skip(f"live test skipped: {err.message}")
    yield c
    # The test run is a lab session of its own (lessons.session): it removes what it made,
    # and nothing of a notebook or another run on the same engine.
    cleanup.clean_session(c, session.current())
    c.close()


@pytest.fixture(scope="session")
def image_set(client):
    try:
        return imagesets.choose(client)
    except LabError as err:
        if _required():
            pytest.fail(str(err), pytrace=False)
        pytest.skip(f"live test skipped: {err.message}")


_built: dict = {}


@pytest.fixture(scope="session")
def build(client, image_set):
    """build(variant) -> tag; each variant is built once per session (cache makes it cheap)."""

    def _build(v: catalog.Variant) -> str:
        from docker.errors import ImageNotFound

        try:
            client.images.get(v.tag(image_set))
            present = v in _built
        except ImageNotFound:
            present = False  # never built this session, or a cleanup test removed it
        if not present:
            _built[v] = lab.build_variant(client, v, image_set)
        return v.tag(image_set)

    return _build


def pytest_report_header(config):
    return (f"lessons: LESSONS_IMAGES={os.environ.get('LESSONS_IMAGES', 'auto')}, "
            f"live tests {'REQUIRED' if _required() else 'skipped when no engine answers'}")


@pytest.fixture
def lab_shell():
    """A real IPython shell (history in memory) with the lab's cell handler installed and
    the names notebooks import from lessons.nb: what a notebook's kernel runs cells in."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    from lessons import cells, nb

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell(config=config)
    cells.install(shell, nb.HELPERS)
    shell.user_ns.update({name: getattr(nb, name) for name in nb.__all__})
    yield shell
    shell.set_custom_exc((), None)
