"""The lab's everyday verbs: build a variant, measure an image, check that it answers."""

from __future__ import annotations

import os
from . import build as B
from . import engine as E
from . import imagesets as S
from . import labels as L
from . import run as R
from . import sizes as Z
from . import wheels as W
from .catalog import Variant
from .errors import LabError

# Rough disk a full build of each language needs the first time (images + build cache).
DISK_PER_LANGUAGE = {"go": 1_500_000_000, "java": 1_200_000_000, "python": 1_500_000_000}


def pip_offline(image_set: str) -> bool:
    """Install the Python app's wheels from the host (see lessons.wheels)? By default yes
    with the local set (no registry usually means no PyPI inside builds either)."""
    flag = os.environ.get("LESSONS_PIP_OFFLINE", "").strip().lower()
    if flag in ("1", "true", "yes"):
        return True
    if flag in ("0", "false", "no"):
        return False
    return image_set == "local"


def build_args(v: Variant, image_set: str) -> dict[str, str]:
    extra = W.offline_args() if v.language == "python" and pip_offline(image_set) else {}
    return S.build_args(v.dockerfile, image_set, extra)


def command(v: Variant, image_set: str, nocache: bool = False) -> str:
    """The equivalent ``docker build`` command, for the notebooks to show."""
    return B.cli_command(v.dockerfile, v.context, v.tag(image_set), build_args(v, image_set),
                         nocache=nocache)


def build_variant(client, v: Variant, image_set: str, *, nocache: bool = False,
                  on_step=None, on_line=None) -> B.BuildResult:
    """Build one variant with the given image set (wheels fetched first when needed)."""
    if v.language == "python" and pip_offline(image_set) and not W.have_wheels():
        W.download(E.describe(client)["architecture"])
    return B.build(client, v.context, v.dockerfile, v.tag(image_set),
                   buildargs=build_args(v, image_set),
                   labels={L.APP: v.language, L.VARIANT: v.variant, L.IMAGE_SET: image_set},
                   nocache=nocache, on_step=on_step, on_line=on_line)


def check_answers(client, tag: str, language: str) -> dict:
    """Run the image the lab's safe way and ask it two questions. Returns what it said."""
    with R.running(client, tag, purpose="check") as app:
        root = app.get("/")
        primes = app.get("/primes?n=100")
        ok = (root.status == 200 and root.json().get("language") == language
              and primes.status == 200 and primes.json() == {"n": 100, "count": 25,
                                                              "largest": 97})
        return {"answered": ok, "healthy_s": round(app.healthy_after, 2)}


def measure_image(client, ref: str, provenance: dict | None = None) -> dict:
    """Sizes of one local image (see lessons.sizes for the definitions) plus provenance."""
    from docker.errors import ImageNotFound

    try:
        image = client.images.get(ref)
    except ImageNotFound:
        raise LabError(f"no image {ref} on this engine", "build it first") from None
    layers = Z.layer_sizes(client, ref)
    row = {
        "image": ref,
        "image_id": image.id,
        "uncompressed_mb": round(sum(x.size for x in layers) / Z.MB, 2),
        "compressed_mb": round(sum(x.gzip_size for x in layers) / Z.MB, 2),
        "engine_mb": round(image.attrs.get("Size", 0) / Z.MB, 2),
        "layers": len(layers),
    }
    row.update(provenance or {})
    return row


def provenance(client, image_set: str) -> dict:
    info = E.describe(client)
    return {"image_set": image_set, "engine_version": info["engine_version"],
            "storage_driver": info["storage_driver"], "architecture": info["architecture"],
            "date": E.today(), "source": "live"}


def ensure_ready(client, image_set: str | None = None) -> str:
    """Pick the image set (LESSONS_IMAGES) and check it can be used; returns its name."""
    return S.choose(client, image_set)

