"""The same images measured on two engines: the lab's sizes (from `docker save`) against each
engine's own figures: `docker image inspect --format '{{.Size}}'` and the SIZE column of
`docker image ls` (the same number on overlay2; on the containerd image store, inspect gives
the layer blobs the store keeps, and image ls adds the unpacked copy it also keeps).

    python benchmarks/engines.py unix:///var/run/docker.sock unix:///var/lib/sizedrop/engine28/run/docker28.sock [--out F]

Writes lessons/recorded/engines.csv (notebook 04 shows it, labelled recorded) and prints, for
every base image present on both engines with the same layers, whether the lab's sizes agree
byte for byte (they must: the layer tars are the same). App images are built on each engine
separately, so their layers differ in timestamps and their sizes may differ by tar padding.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lessons import catalog, engine, imagesets, sizes  # noqa: E402
from lessons.sources import RECORDED  # noqa: E402


def measure_on(host: str) -> pd.DataFrame:
    import docker

    client = docker.DockerClient(base_url=host, version="auto", timeout=600)
    info = engine.describe(client)
    rows = []
    names = [(v.language, v.variant, v.tag()) for v in catalog.variants()]
    names += [("base", b.arg, b.local) for b in imagesets.BASE_IMAGES]
    for lang, var, tag in names:
        try:
            m = sizes.measure(client, tag)
        except Exception as err:  # not on this engine
            print(f"{host}: {tag}: {err}", file=sys.stderr)
            continue
        layer_ids = client.images.get(tag).attrs.get("RootFS", {}).get("Layers", [])
        listed = client.api.images(name=tag)
        ls_mb = round(listed[0]["Size"] / sizes.MB, 2) if listed else None
        rows.append({"language": lang, "variant": var, "image": tag,
                     "uncompressed_mb": m["uncompressed_mb"], "compressed_mb": m["compressed_mb"],
                     "uncompressed_bytes": sum(x.size for x in sizes.layer_sizes(client, tag)),
                     "engine": f"Docker {info['engine_version']}",
                     "storage": info["storage_driver"], "inspect_mb": m["engine_mb"],
                     "image_ls_mb": ls_mb,
                     "layers": "|".join(layer_ids), "date": engine.today()})
    return pd.DataFrame(rows)


def main(hosts: list[str], out: Path = RECORDED / "engines.csv") -> None:
    frames = [measure_on(h) for h in hosts]
    df = pd.concat(frames, ignore_index=True)
    first, second = frames[0], frames[1]
    both = first.merge(second, on="image", suffixes=("_a", "_b"))
    same = both[both["layers_a"] == both["layers_b"]]
    print(f"{len(same)} images have the same layers on both engines:")
    for _, r in same.iterrows():
        verdict = "equal" if r["uncompressed_bytes_a"] == r["uncompressed_bytes_b"] else "DIFFER"
        print(f"  {r['image']}: {r['uncompressed_bytes_a']} B and {r['uncompressed_bytes_b']} B "
              f"of layer tars: {verdict}; docker image inspect {r['inspect_mb_a']} MB and "
              f"{r['inspect_mb_b']} MB")
    differ = both[both["layers_a"] != both["layers_b"]]
    for _, r in differ.iterrows():
        print(f"  {r['image']} (built on each engine): {r['uncompressed_mb_a']} MB and "
              f"{r['uncompressed_mb_b']} MB")
    table = df[df["language"] != "base"].drop(columns=["layers", "uncompressed_bytes"])
    table.to_csv(out, index=False)
    print(f"wrote {out}")
    if (same["uncompressed_bytes_a"] != same["uncompressed_bytes_b"]).any():
        sys.exit(1)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("hosts", nargs=2, help="the two engines' DOCKER_HOST values")
    parser.add_argument("--out", type=Path, default=RECORDED / "engines.csv")
    args = parser.parse_args()
    main(args.hosts, args.out)
