"""Reproducible builds on the live engine: two --no-cache builds with SOURCE_DATE_EPOCH give
the same digest. Three of the six final images (Go scratch, and Python distroless and traced,
where the .pyc files needed fixing) to keep CI's time down: each is built twice from nothing;
the benchmark's "reproducible" part (python benchmarks/run.py) covers all six."""

from __future__ import annotations

import pytest

from lessons import catalog, reproducible

pytestmark = pytest.mark.live

FINALS = [catalog.Variant("go", "scratch"), catalog.Variant("python", "distroless"),
          catalog.Variant("python", "traced")]


@pytest.mark.parametrize("variant", FINALS, ids=str)
def test_final_image_builds_to_the_same_digest_twice(client, image_set, variant):
    row = reproducible.compare(client, variant, image_set)
    if row["how"] != reproducible.OCI:
        pytest.skip(f"this builder cannot rewrite timestamps ({row['how']}): "
                    "reproducibility is checked on BuildKit with an OCI exporter")
    assert row["digest 1"].startswith("sha256:")
    assert row["same digest"], row
