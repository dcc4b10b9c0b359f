"""`python -m notes.healthcheck`: exit 0 when the running server's /healthz answers 200."""

import os
import sys
import urllib.request


def main() -> int:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8080')}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return 0 if answer.status == 200 else 1
    except OSError as err:
        print(f"healthcheck: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
