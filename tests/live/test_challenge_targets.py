"""Notebook 07's targets are measurements, not numbers typed in: each reference image is built
and measured again here, and the committed figures (notebooks/transfer/targets.csv, written by
`python -m lessons targets`) must agree within lessons.challenge.TOLERANCE."""

from __future__ import annotations

import pytest

from lessons import challenge

pytestmark = pytest.mark.live

FLOOR_TOLERANCE = 0.10   # a traced floor moves with what a run happens to load (lazy imports)


@pytest.mark.parametrize("language", list(challenge.SERVICES))
def test_committed_target_is_what_the_reference_measures(client, image_set, language):
    committed = challenge.targets().set_index("language").loc[language]
    fresh = challenge.measure(client, image_set, languages=[language]).iloc[0]
    print(f"{language}: committed {committed.reference_mb} MB (floor {committed.floor_mb} MB, "
          f"{committed.engine}, {committed.measured}); now {fresh.reference_mb} MB (floor "
          f"{fresh.floor_mb} MB, {fresh.engine})")
    assert committed.service == fresh.service
    assert abs(fresh.reference_mb - committed.reference_mb) <= \
        challenge.TOLERANCE * committed.reference_mb
    assert abs(fresh.floor_mb - committed.floor_mb) <= FLOOR_TOLERANCE * committed.floor_mb
    # the committed target still leaves the reference its margin
    assert fresh.reference_mb * (1 + challenge.TOLERANCE) <= committed.target_mb
