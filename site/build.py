"""Build the Size Drop site: ``python site/build.py`` (from anywhere in the repository).

Needs the lab and the docs tools, once:

    pip install -r requirements.txt -e ".[docs]"      # add -c constraints.txt for the tested set

It runs Sphinx (configured by site/conf.py, pages listed in site/_toc.yml) over the repository
root, executes every notebook in replay mode (no Docker engine is used, even where one runs),
and writes the HTML to site/_build/html (open site/_build/html/index.html). The build fails on
any Sphinx warning and on any notebook cell that raises. Extra arguments go to sphinx-build,
for example ``python site/build.py -q`` for a quieter log.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

SITE = Path(__file__).resolve().parent
ROOT = SITE.parent
OUT = SITE / "_build" / "html"


def main(argv: list[str]) -> int:
    try:
        from sphinx.cmd.build import build_main
        import myst_nb  # noqa: F401  (fail early with the install hint)
        import sphinx_book_theme  # noqa: F401
        import sphinx_external_toc  # noqa: F401
    except ImportError as err:
        print(f"error: {err.name} is missing. Install the docs tools once with:\n"
              '    pip install -r requirements.txt -e ".[docs]"', file=sys.stderr)
        return 2
    args = [
        "-b", "html",
        "-c", str(SITE),          # configuration in site/, sources at the repository root
        "--fresh-env",            # always read (and so execute) every page
        "-W", "--keep-going",     # warnings fail the build, after reporting all of them
        "-T",                     # on a failing cell, print its traceback, not just the path
        *argv,
        str(ROOT), str(OUT),
    ]
    started = time.monotonic()
    code = build_main(args)
    took = time.monotonic() - started
    if code == 0:
        print(f"site built in {took:.0f} s: {OUT / 'index.html'}")
    else:
        print(f"site build FAILED after {took:.0f} s (exit code {code})", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
