"""Size Drop sample service, Python edition.

The HTTP contract (routes, status codes, byte-exact bodies) is in sample_apps/README.md;
the Go and Java apps answer every request the same way.
"""

from sizedrop_app.app import create_app

__all__ = ["create_app"]
