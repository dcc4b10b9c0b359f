"""Self health check: `python -m sizedrop_app.healthcheck` exits 0 when /healthz answers 200.

Distroless images have no curl or wget, so the Dockerfiles' HEALTHCHECK runs this module with
the interpreter the service already ships. Standard library only.
"""

import os
import sys
import urllib.request

TIMEOUT_SECONDS = 2


def main():
    port = os.environ.get("PORT") or "8080"
    url = f"http://127.0.0.1:{port}/healthz"
    # An empty ProxyHandler: an http_proxy variable set in the container must not send a
    # request for the loopback address through a proxy.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=TIMEOUT_SECONDS) as response:
            healthy = response.status == 200
    except Exception:  # noqa: BLE001 - any failure at all means "unhealthy", never a traceback
        # Refused, timed out, a non-2xx status (urllib raises HTTPError), a garbled answer,
        # a $PORT that is not a number...: the engine only needs the exit code.
        healthy = False
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
