"""Check that notebooks are in nbformat's canonical form, or rewrite them into it.

    python tools/canonical_notebooks.py notebooks/*.ipynb         # check: exit 1 if any is not
    python tools/canonical_notebooks.py --fix notebooks/*.ipynb   # rewrite those that are not

The canonical form is what ``nbformat.write`` produces (sorted keys, indent 1, a final newline):
the form JupyterLab saves and nbstripout writes. A notebook kept in it changes, on a save, only
in the cells that were edited. nbformat reads and writes each notebook; nothing else edits it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat


def canonical(text: str) -> str:
    nb = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    out = nbformat.writes(nb)
    return out if out.endswith("\n") else out + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fix", action="store_true", help="rewrite notebooks not in the form")
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    off = []
    for path in args.paths:
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
        want = canonical(text)
        if text == want:
            continue
        off.append(path)
        if args.fix:
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.write(want)
            print(f"{path}: rewritten in nbformat's canonical form")
    if off and not args.fix:
        for path in off:
            print(f"{path}: not in nbformat's canonical form")
        names = " ".join(str(p) for p in off)
        print(f"fix: python tools/canonical_notebooks.py --fix {names}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
