"""Reading Dockerfiles: their instructions with line numbers (pure functions, no engine)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Instruction:
    line: int        # 1-based line where the instruction starts
    keyword: str     # FROM, RUN, COPY, ... in upper case
    text: str        # the whole instruction, continuation lines joined

    def __str__(self) -> str:
        return self.text


def instructions(source: str) -> list[Instruction]:
    """Instructions in order, as the classic builder numbers its steps (``Step N/M``).

    Comments and blank lines are skipped (also inside a continued instruction), a trailing
    backslash continues the line, and the first instruction's keyword is upper-cased.
    """
    out: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(source.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # comment lines inside a continuation are dropped by the parser
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].rstrip())
            continue
        pending.append(stripped)
        text = " ".join(p for p in pending if p)
        pending = []
        keyword = text.split(None, 1)[0].upper()
        out.append(Instruction(start, keyword, text))
    if pending:
        text = " ".join(p for p in pending if p)
        out.append(Instruction(start, text.split(None, 1)[0].upper(), text))
    return out


def read(path: Path) -> list[Instruction]:
    return instructions(Path(path).read_text())


def stages(source: str) -> list[str]:
    """Stage names in order (``FROM x AS name``); unnamed stages appear as their index."""
    names = []
    for ins in instructions(source):
        if ins.keyword == "FROM":
            m = re.search(r"\s+AS\s+(\S+)\s*$", ins.text, re.IGNORECASE)
            names.append(m.group(1) if m else str(len(names)))
    return names


def final_base(source: str) -> str:
    """The image reference the final stage starts FROM (ARGs left unexpanded)."""
    froms = [i for i in instructions(source) if i.keyword == "FROM"]
    if not froms:
        return ""
    return froms[-1].text.split()[1]
