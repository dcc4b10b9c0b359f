"""Reading Dockerfiles: instructions with line numbers, stages, and which steps a build runs
(pure functions, no engine)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# Instructions that BuildKit shows as a step of their own ("[build 3/5] RUN ..."). The others
# (ENV, ARG, USER, LABEL, EXPOSE, CMD, ENTRYPOINT, HEALTHCHECK...) only change the image config.
STEP_KEYWORDS = ("RUN", "COPY", "ADD", "WORKDIR")


@dataclass(frozen=True)
class Instruction:
    line: int        # 1-based line where the instruction starts
    keyword: str     # FROM, RUN, COPY, ... in upper case
    text: str        # the whole instruction, continuation lines joined

    def __str__(self) -> str:
        return self.text


def instructions(source: str) -> list[Instruction]:
    """Instructions in order, with the line each starts on.

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


@dataclass
class Stage:
    index: int                    # position among the file's stages, from 0
    name: str                     # "build", or BuildKit's "stage-N" for an unnamed stage
    base: str                     # what FROM names (ARGs left unexpanded), lower-cased if a stage
    instructions: list[Instruction] = field(default_factory=list)   # FROM first
    named: bool = True
    from_stage: bool = False      # FROM names an earlier stage, not an image

    @property
    def steps(self) -> list[Instruction]:
        """The instructions BuildKit runs as steps of this stage, in order: the FROM of an image
        (not of ``scratch`` or of another stage), then every RUN, COPY, ADD and WORKDIR."""
        return [i for i in self.instructions
                if i.keyword in STEP_KEYWORDS or (i.keyword == "FROM" and self.from_image)]

    @property
    def from_image(self) -> bool:
        return self.base != "scratch" and not self.from_stage


def parse_stages(source: str) -> list[Stage]:
    """The stages of a Dockerfile, with their instructions."""
    stages: list[Stage] = []
    for ins in instructions(source):
        if ins.keyword == "FROM":
            parts = [p for p in ins.text.split()[1:] if not p.startswith("--")]
            base = parts[0] if parts else ""
            m = re.search(r"\s+AS\s+(\S+)\s*$", ins.text, re.IGNORECASE)
            index = len(stages)
            stage = Stage(index, m.group(1).lower() if m else f"stage-{index}", base,
                          [ins], named=bool(m))
            if base.lower() in {s.name for s in stages}:
                stage.base, stage.from_stage = base.lower(), True
            stages.append(stage)
        elif stages:
            stages[-1].instructions.append(ins)
    return stages


def stages(source: str) -> list[str]:
    """Stage names in order (``FROM x AS name``); unnamed stages appear as their index."""
    return [s.name if s.named else str(s.index) for s in parse_stages(source)]


def final_base(source: str) -> str:
    """The image reference the final stage starts FROM (ARGs left unexpanded)."""
    parsed = parse_stages(source)
    return parsed[-1].instructions[0].text.split()[1] if parsed else ""


_COPY_FROM = re.compile(r"--from=(\S+)", re.IGNORECASE)
_MOUNT_FROM = re.compile(r"--mount=\S*\bfrom=([^,\s]+)", re.IGNORECASE)


def dependencies(stage: Stage, by_name: dict[str, Stage]) -> set[str]:
    """Names of the stages this stage reads from: its FROM, COPY --from and RUN --mount from=."""
    deps = set()
    if stage.base in by_name and by_name[stage.base].index < stage.index:
        deps.add(stage.base)
    for ins in stage.instructions[1:]:
        for m in list(_COPY_FROM.finditer(ins.text)) + list(_MOUNT_FROM.finditer(ins.text)):
            ref = m.group(1).lower()
            if ref.isdigit() and int(ref) < len(by_name):
                ref = next(s.name for s in by_name.values() if s.index == int(ref))
            if ref in by_name:
                deps.add(ref)
    return deps


def needed_stages(source: str, target: str | None = None) -> list[Stage]:
    """The stages BuildKit builds for ``target`` (default: the last stage): the target and
    every stage it reads from, directly or not. The classic builder built every stage up to the
    target instead; BuildKit skips the rest, which is why a test stage that nothing depends on
    runs only when asked for with ``--target``."""
    parsed = parse_stages(source)
    if not parsed:
        return []
    by_name = {s.name: s for s in parsed}
    goal = by_name.get(target.lower()) if target else parsed[-1]
    if goal is None:
        return []
    wanted, todo = set(), [goal.name]
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted.add(name)
        todo.extend(dependencies(by_name[name], by_name))
    return [s for s in parsed if s.name in wanted]


def step_count(source: str, target: str | None = None) -> int:
    """How many steps a BuildKit build of ``target`` shows ("[stage i/n]" vertices)."""
    return sum(len(s.steps) for s in needed_stages(source, target))


def locate(source: str, stage_name: str, number: int) -> Instruction | None:
    """The instruction behind BuildKit's step "[stage_name number/n]"."""
    for s in parse_stages(source):
        if s.name == stage_name.lower():
            steps = s.steps
            return steps[number - 1] if 0 < number <= len(steps) else None
    return None
