"""Unit tests of the toolkit's pure functions (no engine)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile

import pandas as pd
import pytest

from lessons import catalog, compare, dockerfile, imagesets, inventory, localset, sizes
from lessons.errors import LabError


# ------------------------------------------------------------------ helpers that build tars

def _layer(files: dict[str, bytes], mode: int = 0o644) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = mode
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _add(t: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    t.addfile(info, io.BytesIO(data))


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _classic_save(layers: list[bytes]) -> bytes:
    config = {"rootfs": {"type": "layers", "diff_ids": [_digest(x) for x in layers]}}
    cfg = json.dumps(config).encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        names = []
        for i, layer in enumerate(layers):
            _add(t, f"layer{i}/layer.tar", layer)
            names.append(f"layer{i}/layer.tar")
        _add(t, "abc.json", cfg)
        _add(t, "manifest.json", json.dumps([{"Config": "abc.json", "Layers": names}]).encode())
    return buf.getvalue()


def _oci_save(layers: list[bytes], gzipped: bool) -> bytes:
    config = {"rootfs": {"type": "layers", "diff_ids": [_digest(x) for x in layers]}}
    cfg = json.dumps(config).encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        names = []
        for layer in layers:
            blob = gzip.compress(layer) if gzipped else layer
            name = "blobs/sha256/" + hashlib.sha256(blob).hexdigest()
            _add(t, name, blob)
            names.append(name)
        cname = "blobs/sha256/" + hashlib.sha256(cfg).hexdigest()
        _add(t, cname, cfg)
        _add(t, "index.json", b'{"schemaVersion":2,"manifests":[]}')
        _add(t, "manifest.json", json.dumps([{"Config": cname, "Layers": names}]).encode())
    return buf.getvalue()


LAYERS = [_layer({"etc/hello": b"hello\n" * 5000}), _layer({"app/bin": bytes(range(256)) * 999})]


# ------------------------------------------------------------------ sizes

@pytest.mark.parametrize("layout", ["classic", "oci", "oci-gzip"])
def test_save_sizes_match_the_tars_we_built(layout):
    data = {"classic": lambda: _classic_save(LAYERS),
            "oci": lambda: _oci_save(LAYERS, False),
            "oci-gzip": lambda: _oci_save(LAYERS, True)}[layout]()
    summary = sizes.summarize_save(io.BytesIO(data))
    assert [x.size for x in summary.layers] == [len(x) for x in LAYERS]
    assert [x.diff_id for x in summary.layers] == [_digest(x) for x in LAYERS]
    assert summary.size == sum(len(x) for x in LAYERS)
    want_gz = [len(gzip.compress(x, compresslevel=6, mtime=0)) for x in LAYERS]
    got_gz = [x.gzip_size for x in summary.layers]
    # the gzip header may differ by a few bytes (file name / OS fields); the deflate stream not
    assert all(abs(a - b) <= 16 for a, b in zip(got_gz, want_gz)), (got_gz, want_gz)


def test_save_with_altered_layer_is_refused():
    data = bytearray(_classic_save(LAYERS))
    i = data.find(b"hello\nhello")
    data[i] = ord("J")
    with pytest.raises(LabError, match="do not match"):
        sizes.summarize_save(io.BytesIO(bytes(data)))


# ------------------------------------------------------------------ Dockerfile parsing

def test_instructions_number_like_the_classic_builder():
    src = "# syntax comment\nARG A=1\n\n# build\nFROM x AS build\nRUN a \\\n  # note\n  && b\n" \
          "COPY . .\nFROM scratch AS final\nCMD [\"/a\"]\n"
    ins = dockerfile.instructions(src)
    assert [i.keyword for i in ins] == ["ARG", "FROM", "RUN", "COPY", "FROM", "CMD"]
    assert ins[2].line == 6 and ins[2].text == "RUN a && b"
    assert dockerfile.stages(src) == ["build", "final"]
    assert dockerfile.final_base(src) == "scratch"


# ------------------------------------------------------------------ image sets

def test_local_names_never_shadow_official_ones():
    for b in imagesets.BASE_IMAGES:
        assert b.local.startswith("sizedrop.invalid/") and b.local != b.official


def test_build_args_only_for_declared_args(tmp_path):
    f = tmp_path / "x.dockerfile"
    f.write_text("ARG GO_IMAGE=golang:1.27-trixie\nARG PIP_NO_INDEX\nFROM ${GO_IMAGE} AS b\n")
    assert imagesets.build_args(f, "official") == {}
    assert imagesets.build_args(f, "local") == {"GO_IMAGE": "sizedrop.invalid/golang:1.27-trixie"}
    assert imagesets.build_args(f, "local", {"PIP_NO_INDEX": "1", "OTHER": "x"}) == {
        "GO_IMAGE": "sizedrop.invalid/golang:1.27-trixie", "PIP_NO_INDEX": "1"}
    with pytest.raises(LabError):
        imagesets.build_args(f, "nonsense")


def test_requested_image_set_is_validated(monkeypatch):
    monkeypatch.setenv("LESSONS_IMAGES", "Local")
    assert imagesets.requested() == "local"
    monkeypatch.setenv("LESSONS_IMAGES", "dockerhub")
    with pytest.raises(LabError, match="not understood"):
        imagesets.requested()


def test_debian_mirror_from_both_source_formats(tmp_path):
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\nURIs: http://mirror.example/debian/\nSuites: trixie\n")
    assert localset.debian_mirror(tmp_path) == "http://mirror.example/debian"
    (tmp_path / "sources.list").write_text(
        "deb [arch=amd64] http://other.example/debian bookworm main\n")
    assert localset.debian_mirror(tmp_path) == "http://other.example/debian"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert localset.debian_mirror(empty) == localset.DEFAULT_MIRROR


def test_recipe_hash_changes_with_parent():
    b = imagesets.by_arg()["GO_IMAGE"]
    assert localset.recipe_hash(b, "sha256:1") != localset.recipe_hash(b, "sha256:2")


# ------------------------------------------------------------------ catalog and tables

def test_variant_selection_and_unknown_names():
    assert [str(v) for v in catalog.variants("java", "jlink")] == ["java/jlink"]
    assert len(catalog.variants()) == 12
    with pytest.raises(LabError, match="choose from"):
        catalog.variants(["rust"])


def test_drop_percentages():
    df = pd.DataFrame({"language": ["go", "go"], "variant": ["single-stage", "scratch"],
                       "uncompressed_mb": [800.0, 8.0], "compressed_mb": [300.0, 3.0]})
    out = compare.add_drops(df)
    assert list(out["drop_pct"]) == [0.0, 99.0]
    assert list(out["compressed_drop_pct"]) == [0.0, 99.0]


# ------------------------------------------------------------------ inventory

def _fs(entries) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        for name, kind, extra in entries:
            info = tarfile.TarInfo(name)
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                t.addfile(info)
            elif kind == "link":
                info.type = tarfile.SYMTYPE
                info.linkname = extra
                t.addfile(info)
            else:
                data = extra if isinstance(extra, bytes) else b"x"
                info.size = len(data)
                info.mode = kind
                t.addfile(info, io.BytesIO(data))
    buf.seek(0)
    return buf


def test_inventory_follows_merged_usr_and_ignores_dangling_links():
    inv = inventory.read_filesystem(_fs([
        ("bin", "link", "usr/bin"),
        ("usr/bin/dash", 0o755, b"ELF"),
        ("usr/bin/sh", "link", "dash"),
        ("usr/bin/bash", "link", "/nowhere/bash"),
        ("usr/bin/passwd", 0o4755, b"ELF"),
        ("var/lib/dpkg/status", 0o644, b"Package: dash\n\nPackage: libc6\n"),
    ]))
    assert inv.present(inventory.SHELLS) == ["sh", "dash"]
    assert inv.setuid == ["/usr/bin/passwd"]
    assert inv.os_packages == ["dash", "libc6"]
    assert inv.executables == 2


def test_inventory_of_distroless_layout():
    inv = inventory.read_filesystem(_fs([
        ("var/lib/dpkg/status.d/libc6", 0o644, b"Package: libc6\nVersion: 2.41\n"),
        ("opt/venv/lib/python3.13/site-packages/flask-3.1.2.dist-info/METADATA", 0o644,
         b"Name: Flask\nVersion: 3.1.2\n"),
    ]))
    assert inv.os_packages == ["libc6"]
    assert inv.python_dists == ["Flask==3.1.2"]
    assert inv.present(inventory.SHELLS) == []


def test_inventory_finds_pip_inside_a_virtual_environment():
    inv = inventory.read_filesystem(_fs([
        ("opt/venv/pyvenv.cfg", 0o644, b"home = /usr/bin\n"),
        ("opt/venv/bin/pip", 0o755, b"#!/opt/venv/bin/python\n"),
    ]))
    assert inv.present(inventory.PACKAGE_MANAGERS) == ["pip"]


# ------------------------------------------------------------------ dive's efficiency

def _e(path, size=0, kind="file"):
    from lessons.sizes import Entry
    return Entry(path, size, kind)


def test_added_then_deleted_file_is_wasted_bytes():
    from lessons import layers
    a = layers.efficiency([[_e("etc", 0, "dir"), _e("etc/os", 100)],
                           [_e("big.bin", 5000)],
                           [_e("big.bin", 0, "whiteout")]])
    assert a.wasted_bytes == 5000
    assert a.efficiency == pytest.approx(100 / 5100)
    assert a.user_bytes == 5000 and a.total_bytes == 5100
    assert [w.path for w in a.inefficiencies] == ["big.bin"]


def test_overwritten_file_counts_every_copy_like_dive():
    from lessons import layers
    a = layers.efficiency([[_e("app/x", 300)], [_e("app/x", 200)]])
    assert a.wasted_bytes == 500
    assert a.efficiency == pytest.approx(200 / 500)


def test_deleting_a_folder_counts_what_it_held():
    from lessons import layers
    a = layers.efficiency([[_e("cache", 0, "dir"), _e("cache/a", 10), _e("cache/b", 30)],
                           [_e("cache", 0, "whiteout")]])
    assert a.wasted_bytes == 40


def test_an_image_with_no_rewrites_is_fully_efficient():
    from lessons import layers
    a = layers.efficiency([[_e("a", 10)], [_e("b", 20)]])
    assert a.efficiency == 1.0 and a.wasted_bytes == 0


def test_history_instructions_are_tidied():
    from lessons import layers
    cfg = {"history": [
        {"created_by": "", "comment": "Imported from -"},
        {"created_by": "/bin/sh -c #(nop)  ENV A=1", "empty_layer": True},
        {"created_by": "/bin/sh -c apt-get update"},
        {"created_by": "|2 A=1 B=2 /bin/sh -c make"},
        {"created_by": "/bin/sh -c #(nop) COPY file:ab in /app "},
        # BuildKit's spelling
        {"created_by": "RUN |2 PIP_NO_INDEX=1 PIP_FIND_LINKS=/wheels /bin/sh -c pip install "
                       "-r requirements.txt # buildkit"},
        {"created_by": "COPY . . # buildkit"},
        {"created_by": "WORKDIR /app"}]}
    assert layers.created_by(cfg) == ["(docker import of a root filesystem)",
                                      "RUN apt-get update", "RUN make", "COPY file:ab in /app",
                                      "RUN pip install -r requirements.txt", "COPY . .",
                                      "WORKDIR /app"]


def test_go_build_info_is_read_from_the_binary_bytes():
    version = b"go1.24.4"
    modinfo = (b"path\tsizedrop.example/app\nmod\tsizedrop.example/app\t(devel)\t\n"
               b"dep\tgolang.org/x/net\tv0.40.0\th1:abc=\n")
    blob = (b"\x7fELF" + b"\0" * 100 + b"\xff Go buildinf:" + bytes([8, 2]) + b"\0" * 16
            + bytes([len(version)]) + version + bytes([len(modinfo)]) + modinfo + b"\0" * 10)
    assert inventory.go_build_info(blob) == {"go": "go1.24.4", "module": "sizedrop.example/app",
                                             "deps": [("golang.org/x/net", "v0.40.0")]}
    assert inventory.go_build_info(b"\x7fELF not go") is None


def test_java_modules_from_the_release_file():
    inv = inventory.Inventory(java_release='JAVA_VERSION="21.0.9"\nMODULES="java.base jdk.httpserver"\n')
    assert inv.java_modules == ["java.base", "jdk.httpserver"]


def test_a_source_only_change_is_new_every_time(tmp_path):
    # BuildKit keys its cache by content: the same appended line twice would make the second
    # "warm rebuild" a cache hit on the first (it happened to the benchmark once)
    from lessons import buildcost

    seen = set()
    for _ in range(2):
        ctx = tmp_path / f"go{len(seen)}"
        ctx.mkdir()
        (ctx / "main.go").write_text("package main\n")
        seen.add(buildcost.touch_source(ctx, "go").read_text())
    assert len(seen) == 2
