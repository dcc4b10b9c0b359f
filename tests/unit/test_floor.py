"""The traced floor's parsing (lessons.floor) and the traced image's tracer
(sample_apps/python/tracing/tracer.py), with no engine."""

from __future__ import annotations

import importlib.util
import io
import os
import tarfile

import pytest

from lessons import catalog, floor, imagefs, plots

TRACING = catalog.SAMPLE_APPS / "python" / "tracing"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"sizedrop_{name}", TRACING / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tracer = _load("tracer")

MAPS = """\
55d4c7a00000-55d4c7a9e000 r--p 00000000 00:2f 1312  /usr/bin/python3.13
55d4c7a9e000-55d4c7d7b000 r-xp 0009e000 00:2f 1312  /usr/bin/python3.13
55d4c8c6f000-55d4c8d0b000 rw-p 00000000 00:00 0     [heap]
7f1c2e400000-7f1c2e428000 r--p 00000000 00:2f 2201  /usr/lib/x86_64-linux-gnu/libc.so.6
7f1c2e5f0000-7f1c2e5f1000 rw-s 00000000 00:1a 7     /dev/shm/wgunicorn-x2ab (deleted)
7f1c2e600000-7f1c2e700000 rw-p 00000000 00:00 0
7f1c2e800000-7f1c2e801000 r--p 00000000 00:2f 4242  /opt/my app/lib with spaces.so
7ffd3a5e1000-7ffd3a5e3000 r-xp 00000000 00:00 0     [vdso]
"""


def test_maps_paths_keeps_files_and_drops_the_rest():
    assert floor.maps_paths(MAPS) == {"/usr/bin/python3.13",
                                      "/usr/lib/x86_64-linux-gnu/libc.so.6",
                                      "/opt/my app/lib with spaces.so"}
    assert tracer.maps_paths(MAPS) == floor.maps_paths(MAPS)


VERBOSE = """\
import '_frozen_importlib' # <class '_frozen_importlib.FrozenImporter'>
# /usr/lib/python3.13/encodings/__pycache__/__init__.cpython-313.pyc matches /usr/lib/python3.13/encodings/__init__.py
# code object from '/usr/lib/python3.13/encodings/__pycache__/__init__.cpython-313.pyc'
import 'encodings' # <_frozen_importlib_external.SourceFileLoader object at 0x7f>
# code object from '/opt/venv/lib/python3.13/site-packages/flask/app.pyc'
# extension module '_ssl' loaded from '/usr/lib/python3.13/lib-dynload/_ssl.cpython-313-x86_64-linux-gnu.so'
[2026-12-02 05:43:31 +0000] [21] [INFO] Starting gunicorn 27.0.1
# code object from /app/gunicorn.conf.py
# code object from /app/sizedrop_app/wsgi.py# code object from '/usr/lib/python3.13/__pycache__/uuid.cpython-313.pyc'
# code object from /app/sizedrop_app/app.py[2026-12-02 05:43:31 +0000] [22] [INFO] Booting worker
# code object from "/odd/it's.pyc"
# cleanup[2] removing sys
"""


def test_verbose_lines_give_every_code_file_once_even_when_run_together():
    found = floor.verbose_files(VERBOSE)
    assert found["code"] == {
        "/usr/lib/python3.13/encodings/__pycache__/__init__.cpython-313.pyc",
        "/opt/venv/lib/python3.13/site-packages/flask/app.pyc",
        "/app/gunicorn.conf.py", "/app/sizedrop_app/wsgi.py",
        "/usr/lib/python3.13/__pycache__/uuid.cpython-313.pyc",
        "/app/sizedrop_app/app.py", "/odd/it's.pyc"}
    assert found["extensions"] == {
        "/usr/lib/python3.13/lib-dynload/_ssl.cpython-313-x86_64-linux-gnu.so"}


def test_sidecar_output_splits_mapped_and_open_files():
    out = ("== maps 1\n" + MAPS + "== fd 1\n/dev/null\nsocket:[12345]\npipe:[7]\n"
           "/app/app.jar\n/tmp/gone (deleted)\nanon_inode:[eventpoll]\n== maps 7\n"
           "7f00-7f01 r--p 0 00:2f 9 /opt/jre/lib/modules\n== ready\n== maps 9\n"
           "7f00-7f01 r--p 0 00:2f 9 /opt/jre/lib/server/libjvm.so\n")
    found = floor.sidecar_files(out)
    assert found["open"] == {"/dev/null", "/app/app.jar"}
    # the snapshots after "ready" (taken while the health check runs) count too
    assert found["mapped"] == floor.maps_paths(MAPS) | {"/opt/jre/lib/modules",
                                                         "/opt/jre/lib/server/libjvm.so"}


def _tar(entries) -> io.BytesIO:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, kind, arg in entries:
            info = tarfile.TarInfo(name)
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif kind == "link":
                info.type, info.linkname = tarfile.SYMTYPE, arg
                tar.addfile(info)
            elif kind == "hard":
                info.type, info.linkname = tarfile.LNKTYPE, arg
                tar.addfile(info)
            else:
                info.size = arg
                tar.addfile(info, io.BytesIO(b"x" * arg))
    buf.seek(0)
    return buf


TREE_ENTRIES = [
    ("./", "dir", 0), ("./usr", "dir", 0), ("./usr/lib", "dir", 0), ("./usr/bin", "dir", 0),
    ("./lib64", "link", "usr/lib64"), ("./usr/lib64", "dir", 0),
    ("./usr/lib64/ld-linux-x86-64.so.2", "link", "../lib/ld-linux-x86-64.so.2"),
    ("./usr/lib/ld-linux-x86-64.so.2", "file", 200),
    ("./usr/lib/libz.so.1", "link", "libz.so.1.3.1"), ("./usr/lib/libz.so.1.3.1", "file", 100),
    ("./usr/bin/python3.13", "file", 1000), ("./usr/bin/python3", "link", "python3.13"),
    ("./opt", "dir", 0), ("./opt/venv", "dir", 0), ("./opt/venv/bin", "dir", 0),
    ("./opt/venv/bin/python", "link", "/usr/bin/python3"),
    ("./usr/bin/py-hard", "hard", "usr/bin/python3.13"),
]


def test_resolve_follows_links_inside_the_image():
    tree = floor.image_tree(tarfile.open(fileobj=_tar(TREE_ENTRIES), mode="r|"))
    assert imagefs.resolve(tree, "/lib64/ld-linux-x86-64.so.2") == "/usr/lib/ld-linux-x86-64.so.2"
    assert imagefs.resolve(tree, "/opt/venv/bin/python") == "/usr/bin/python3.13"
    assert imagefs.resolve(tree, "/usr/lib/libz.so.1") == "/usr/lib/libz.so.1.3.1"
    assert imagefs.resolve(tree, "/usr/bin/py-hard") == "/usr/bin/python3.13"
    assert imagefs.resolve(tree, "/tmp/hsperfdata_nonroot/1") is None


def test_resolve_needs_no_folder_entries_in_the_tar():
    # A tar need not list the folders its files are in; the same links resolve without them.
    files_only = [e for e in TREE_ENTRIES if e[1] != "dir"]
    tree = floor.image_tree(tarfile.open(fileobj=_tar(files_only), mode="r|"))
    assert tree["/usr/lib"] == ("dir", 0)
    assert imagefs.resolve(tree, "/lib64/ld-linux-x86-64.so.2") == "/usr/lib/ld-linux-x86-64.so.2"
    assert imagefs.resolve(tree, "/opt/venv/bin/python") == "/usr/bin/python3.13"
    assert imagefs.resolve(tree, "/opt/venv/bin/pip") is None


def test_count_takes_each_image_file_once_in_the_first_group_naming_it():
    tree = floor.image_tree(tarfile.open(fileobj=_tar(TREE_ENTRIES), mode="r|"))
    counted = floor.count(tree, {
        "mapped": {"/usr/bin/python3.13", "/lib64/ld-linux-x86-64.so.2", "/usr/lib/libz.so.1"},
        "held open": {"/dev/null", "/usr/lib/libz.so.1.3.1"},
        "imported code": {"/opt/venv/bin/python", "/usr/lib"}})
    assert counted["parts"] == {"mapped": 1300, "held open": 0, "imported code": 0}
    assert counted["floor_bytes"] == 1300
    assert counted["outside"] == ["/dev/null", "/usr/lib"]


def test_floor_is_measured_on_each_languages_final_image():
    for language, variant in floor.FINAL.items():
        assert variant in catalog.variants_of(language)


# ------------------------------------------------------------------------- the tracer

EVENTS = [
    "P\t10\t1\t/opt/venv/bin/python\t-m\tunittest\tdiscover\t-s\ttests",
    "M\t10\tunittest\t/usr/lib/python3.13/unittest/__init__.py\t/x.pyc\tSourceFileLoader",
    "M\t10\tsizedrop_app\t/app/sizedrop_app/__init__.py\t\tSourceFileLoader",
    "P\t20\t10\t/opt/venv/bin/python\t-m\tgunicorn\t--config\tgunicorn.conf.py",
    "F\t21\t20",
    "O\t21\t/usr/lib/python3.13/__pycache__/uuid.cpython-313.pyc",
    "M\t21\tuuid\t/usr/lib/python3.13/uuid.py\t/usr/lib/python3.13/__pycache__/uuid.cpython-313.pyc"
    "\tSourceFileLoader",
    "M\t20\tgunicorn.__main__\t/opt/venv/lib/python3.13/site-packages/gunicorn/__main__.py\t"
    "\tSourceFileLoader",
    "M\t20\t__config__\t/app/gunicorn.conf.py\t\tSourceFileLoader",
    "M\t20\tsys\tbuilt-in\t\tBuiltinImporter",
    "M\t20\tos\t/usr/lib/python3.13/os.py\t\tFrozenImporter",
    "X\t21\t/usr/lib/python3.13/lib-dynload/_uuid.cpython-313-x86_64-linux-gnu.so",
    "P\t30\t1\t/opt/venv/bin/python\t-m\tsizedrop_app.healthcheck",
    "M\t30\tsizedrop_app.healthcheck\t/app/sizedrop_app/healthcheck.py\t\tSourceFileLoader",
]


def test_tracer_keeps_the_service_processes_and_their_forks_only():
    procs = tracer.parse_events(EVENTS)
    assert tracer.service_pids(procs) == {20, 21, 30}
    assert procs[21]["argv"][:3] == ["/opt/venv/bin/python", "-m", "gunicorn"]
    assert "/usr/lib/python3.13/unittest/__init__.py" in \
        {m[1] for m in procs[10]["modules"]}


def test_tracer_tells_importable_modules_from_files_loaded_by_path():
    assert tracer.source_module("gunicorn.__main__",
                                "/v/site-packages/gunicorn/__main__.py")
    assert tracer.source_module("sizedrop_app", "/app/sizedrop_app/__init__.py")
    assert tracer.source_module("sizedrop_app.healthcheck", "/app/sizedrop_app/healthcheck.py")
    # gunicorn loads its config by path, as "__config__": it has to stay a .py file
    assert not tracer.source_module("__config__", "/app/gunicorn.conf.py")


def test_tracer_status_skips_an_interim_continue():
    assert tracer.status_of(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\n\r\n{}") \
        == 404
    assert tracer.status_of(b"") is None


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_tracer_finds_the_links_on_the_way_to_a_file(tmp_path):
    (tmp_path / "usr" / "lib").mkdir(parents=True)
    (tmp_path / "usr" / "lib" / "libz.so.1.3.1").write_bytes(b"\x7fELF")
    (tmp_path / "usr" / "lib" / "libz.so.1").symlink_to("libz.so.1.3.1")
    (tmp_path / "lib").symlink_to("usr/lib")
    real = str(tmp_path / "usr" / "lib" / "libz.so.1.3.1")
    links = tracer.symlinks_for({str(tmp_path / "lib" / "libz.so.1.3.1")})
    assert links == {str(tmp_path / "lib"): "usr/lib",
                     str(tmp_path / "usr" / "lib" / "libz.so.1"): "libz.so.1.3.1"}
    assert tracer.elf_interpreter(real) == ""


def test_traced_variant_is_catalogued_with_its_colour():
    v = catalog.Variant("python", "traced")
    assert v.dockerfile.is_file() and v.shell_free and v.hardened
    assert "traced" in catalog.variants_of("python")
    assert plots.COLOURS["traced"] == "#CC79A7"
    assert set(catalog.VARIANTS) <= set(plots.COLOURS)


class _Image:
    def __init__(self, test):
        self.attrs = {"Config": {"Healthcheck": {"Test": test} if test else None}}


def test_health_command_from_the_image_config():
    assert floor._health_command(_Image(["CMD", "/app/server", "-healthcheck"])) == \
        ["/app/server", "-healthcheck"]
    assert floor._health_command(_Image(["CMD-SHELL", "curl -f localhost"])) == \
        ["/bin/sh", "-c", "curl -f localhost"]
    assert floor._health_command(_Image(["NONE"])) is None
    assert floor._health_command(_Image(None)) is None
