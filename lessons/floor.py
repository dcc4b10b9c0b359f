"""The floor: the bytes an app really needs to run, computed from its own artifacts.

* Go: the static binary.
* Java: the jlink runtime (java.base only: the app has its own HTTP server) plus the jar.
* Python: the interpreter, its standard library, the virtual environment and the app.

The C libraries and OS files underneath (glibc, libstdc++, certificates) are left out for
Java and Python, so the floor is a lower bound: no image of that app can be smaller.
"""

from __future__ import annotations

import tarfile

from . import imagefs
from .catalog import Variant

# (variant whose image holds the artifacts, paths inside it)
SOURCES = {
    "go": ("scratch", ["/app/server"]),
    "java": ("jlink", ["/opt/jre", "/app/app.jar"]),
    "python": ("distroless", ["/usr/bin/python3.13", "/usr/lib/python3.13", "/opt/venv",
                              "/app"]),
}


def tar_file_bytes(stream) -> int:
    """Sum of regular-file sizes in a tar stream (links and folders count zero)."""
    total = 0
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for m in tar:
            if m.isfile():
                total += m.size
    return total


def floor_bytes(client, language: str, image_set: str, target=None) -> dict:
    """The floor of ``language``, read from the image that holds its artifacts (for a
    ``target`` platform other than the engine's own, that platform's image)."""
    variant, paths = SOURCES[language]
    tag = Variant(language, variant).tag(image_set, target)
    parts = {}
    with imagefs.created(client, tag, "floor") as container:
        for path in paths:
            chunks, _ = container.get_archive(path)
            parts[path] = tar_file_bytes(imagefs.stream(chunks))
    return {"language": language, "from_image": tag, "parts": parts,
            "floor_bytes": sum(parts.values())}
