"""The live and recorded sources answer every question with the same columns (issue 23,
part 3): a notebook's table reads the same in a live lesson and in its replay. Each table
is measured live now, on one image the recorded run also holds, and set beside the
recorded one."""

from __future__ import annotations

import pandas as pd
import pytest

from lessons import catalog, sources

pytestmark = pytest.mark.live

# One image per question: a recorded build cost exists for these two only among the small ones.
GO = ("go", "scratch")


@pytest.fixture(scope="module")
def live(client, image_set, build):
    build(catalog.variant(*GO))
    return sources.LiveSource(client, image_set)


@pytest.fixture(scope="module")
def recorded():
    return sources.recorded()


def _columns(df: pd.DataFrame) -> list[str]:
    return sorted(map(str, df.columns))


TABLES = {
    "sizes": lambda s: s.sizes(*GO),
    "layers": lambda s: s.layers(*GO),
    "attack_surface": lambda s: s.attack_surface(*GO),
    "answers": lambda s: s.answers(*GO, ["/", "/primes?n=30"]),
    "runtime": lambda s: s.runtime(*GO),
    "build_cost": lambda s: s.build_cost(*GO),
    "folders": lambda s: s.folders(*GO),
}


def test_the_parity_test_asks_every_table_both_sources_give():
    """A new table method on both sources must join TABLES (or the probe's string below)."""
    def questions(cls):
        return {n for n, v in vars(cls).items() if callable(v) and not n.startswith("_")}
    both = questions(sources.LiveSource) & questions(sources.RecordedSource)
    tables = {n for n in both if n in TABLES or n == "probe"}
    assert set(TABLES) | {"probe"} == tables


@pytest.mark.parametrize("name", TABLES)
def test_live_and_recorded_tables_have_the_same_columns(name, live, recorded):
    mine, theirs = TABLES[name](live), TABLES[name](recorded)
    assert len(mine) and len(theirs)
    assert _columns(mine) == _columns(theirs), (
        f"{name}: only live {sorted(set(mine.columns) - set(theirs.columns))}, "
        f"only recorded {sorted(set(theirs.columns) - set(mine.columns))}")


def test_a_probe_is_one_line_of_text_in_both(live, recorded):
    mine, theirs = live.probe("user", *GO), recorded.probe("user", *GO)
    assert isinstance(mine, str) and isinstance(theirs, str) and mine and theirs
