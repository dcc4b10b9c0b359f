"""The docker commands learners type in the notebooks, recorded live and replayed without an engine.

* **Live**: ``!docker ...`` and ``%%bash`` cells run the real CLI; nothing here is involved.
* **Record** (``python -m lessons record`` runs every notebook live with
  ``LESSONS_TRANSCRIPTS=record``): each shell command that calls docker (or curl) runs for real,
  and its output and exit code are kept, in order, in
  ``lessons/recorded/transcripts/<notebook>.json``.
* **Replay** (no engine: Binder, a laptop without Docker): the same cell prints the recorded
  output of the same command under a line that says it is recorded, and how to run it for real.
  A command that was never recorded says it needs an engine.

Only commands that mention ``docker`` or ``curl`` are touched; ``!ls`` and friends run as usual.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from . import session

DIR = Path(__file__).resolve().parent / "recorded" / "transcripts"
ENV_MODE = "LESSONS_TRANSCRIPTS"        # "record" while python -m lessons record runs notebooks
ENV_MISSES = "LESSONS_TRANSCRIPT_MISSES"  # a file where replay notes commands it did not have
_WATCHED = re.compile(r"\b(docker|curl)\b")


def path(notebook: str, directory: Path = DIR) -> Path:
    return Path(directory) / f"{notebook}.json"


def load(notebook: str, directory: Path = DIR) -> list[dict]:
    try:
        return json.loads(path(notebook, directory).read_text())
    except FileNotFoundError:
        return []


class Transcript:
    """The commands of one notebook, in the order they ran, with what they printed."""

    def __init__(self, notebook: str, directory: Path = DIR):
        self.notebook = notebook
        self.directory = Path(directory)
        self.entries: list[dict] = load(notebook, directory)
        self._used: dict[str, int] = {}

    # replay
    def find(self, command: str) -> dict | None:
        """The next recorded run of ``command`` (the first again once all were shown)."""
        key = normalise(command)
        hits = [e for e in self.entries if normalise(e["command"]) == key]
        if not hits:
            return None
        n = self._used.get(key, 0)
        self._used[key] = n + 1
        return hits[n % len(hits)]

    # record
    def add(self, command: str, output: str, exit_code: int) -> None:
        self.entries.append({"command": command, "output": output, "exit_code": exit_code})

    def save(self) -> Path:
        p = path(self.notebook, self.directory)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(self.entries, indent=1) + "\n")
        return p


def normalise(command: str) -> str:
    """``command`` as transcripts keep and match it: blanks collapsed, and this session's id
    (a command a helper printed, such as ``-t ...work:07-challenge-go-1a2b3c4d``) written as
    ``$SIZEDROP_SESSION``, as the notebooks' own cells write it (lessons.session)."""
    text = " ".join(command.split())
    sid = os.environ.get(session.ENV)
    return text.replace(sid, "$" + session.ENV) if sid else text


def watched(command: str) -> bool:
    return bool(_WATCHED.search(command))


def run_for_real(command: str) -> tuple[str, int]:
    """Run ``command`` with bash, as a cell would, and return its output and exit code."""
    proc = subprocess.run(["bash", "-c", command], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace")
    return proc.stdout, proc.returncode


def install(ip, mode: str, notebook: str, label: str, directory: Path = DIR) -> Transcript:
    """Route this kernel's shell commands through a transcript: ``mode`` is "record" or
    "replay". ``label`` names the recording in replay ("recorded 2026-12-02, Docker 26.1.5")."""
    transcript = Transcript(notebook, directory)
    if mode == "record":
        transcript.entries = []
    original_system = ip.system
    original_getoutput = ip.getoutput

    def handle(command: str) -> tuple[str, int] | None:
        if not watched(command):
            return None
        if mode == "record":
            output, code = run_for_real(command)
            transcript.add(normalise(command), output, code)
            transcript.save()
            return output, code
        entry = transcript.find(command)
        if entry is None:
            misses = os.environ.get(ENV_MISSES)
            if misses:
                with open(misses, "a") as f:
                    f.write(f"{notebook}\t{normalise(command)}\n")
            return ("[replay] this command is not in the recorded run, and there is no Docker "
                    "engine here to run it. Run the series where Docker runs (a laptop with "
                    "Docker, or Codespaces) to try your own commands.\n", 1)
        # an entry re-recorded on its own says where it was recorded instead of the run's label
        head = (f"[replay: {entry.get('recorded', label)}. No engine here: this is the output "
                "the same command printed then. With Docker it runs for real.]\n")
        return head + entry["output"], int(entry["exit_code"])

    def system(cmd):
        command = ip.var_expand(cmd, depth=1)
        handled = handle(command)
        if handled is None:
            return original_system(cmd)
        output, code = handled
        print(output, end="" if output.endswith("\n") else "\n")
        ip.user_ns["_exit_code"] = code
        return None

    def getoutput(cmd, split=True, depth=0):
        command = ip.var_expand(cmd, depth=1)
        handled = handle(command)
        if handled is None:
            return original_getoutput(cmd, split=split, depth=depth)
        from IPython.utils.text import SList
        output, code = handled
        ip.user_ns["_exit_code"] = code
        lines = output.splitlines()
        if mode == "replay":
            lines = lines[1:]   # the [replay] line is for people, not for code that parses
        return SList(lines) if split else "\n".join(lines)

    def shell_magic(line, cell):
        handled = handle(cell)
        if handled is None:
            handled = run_for_real(cell)
        output, _ = handled
        print(output, end="" if output.endswith("\n") else "\n")
        return None

    ip.system = system
    ip.getoutput = getoutput
    for name in ("bash", "sh"):
        ip.register_magic_function(shell_magic, "cell", name)
    return transcript
