"""Building for another platform (lessons.platforms): names, build args and command lines.

No engine: the target is made by hand or from a fake ``docker info``.
"""

from __future__ import annotations

import pytest

from lessons import build as B
from lessons import catalog, cleanup, imagesets, localset
from lessons import platforms
from lessons import run as R
from lessons import wheels as W
from lessons.errors import LabError

ARM = platforms.Target("linux/arm64", "linux/amd64")     # arm64 images on an amd64 engine
OWN = platforms.Target("linux/amd64", "linux/amd64")     # the engine's own platform
MAC = platforms.Target("linux/arm64", "linux/arm64")     # an Apple-silicon laptop, natively


class FakeClient:
    def __init__(self, arch):
        self.arch = arch

    def info(self):
        return {"Architecture": self.arch}


@pytest.mark.parametrize("given, arch", [("linux/arm64", "arm64"), ("arm64", "arm64"),
                                         ("aarch64", "arm64"), ("linux/arm64/v8", "arm64"),
                                         ("LINUX/AMD64", "amd64"), ("x86_64", "amd64")])
def test_platform_names_are_normalised(given, arch):
    assert platforms.arch_of(given) == arch
    assert platforms.normalize(given) == f"linux/{arch}"


@pytest.mark.parametrize("given", ["linux/s390x", "windows/amd64", "", "arm"])
def test_unknown_platforms_are_refused_with_a_hint(given):
    with pytest.raises(LabError) as info:
        platforms.arch_of(given)
    assert "linux/arm64" in info.value.hint


def test_the_requested_platform_comes_from_the_argument_then_the_environment(monkeypatch):
    monkeypatch.delenv(platforms.ENV, raising=False)
    assert platforms.requested() is None
    monkeypatch.setenv(platforms.ENV, "arm64")
    assert platforms.requested() == "linux/arm64"
    assert platforms.requested("linux/amd64") == "linux/amd64"
    assert platforms.resolve(FakeClient("x86_64")) == ARM
    monkeypatch.delenv(platforms.ENV)
    assert platforms.resolve(FakeClient("x86_64")) == OWN
    assert platforms.resolve(FakeClient("aarch64")) == MAC
    assert platforms.of(FakeClient("x86_64"), ARM) is ARM


def test_names_get_the_architecture_only_for_a_foreign_platform():
    assert ARM.foreign and not OWN.foreign and not MAC.foreign
    assert ARM.name("sizedrop.invalid/debian:trixie-slim") == \
        "sizedrop.invalid/debian:trixie-slim-arm64"
    assert ARM.both("sizedrop.invalid/jdk:21-trixie") == "sizedrop.invalid/jdk:21-trixie-amd64-arm64"
    assert OWN.name("sizedrop.invalid/debian:trixie-slim") == "sizedrop.invalid/debian:trixie-slim"
    assert MAC.name("x:y") == "x:y" and MAC.both("x:y") == "x:y"
    assert ARM.build_platform == "linux/arm64" and OWN.build_platform is None
    assert platforms.suffixed("registry:5000/a/b", "arm64") == "registry:5000/a/b:latest-arm64"
    assert str(ARM) == "linux/arm64 (emulated on linux/amd64)" and str(MAC) == "linux/arm64"


@pytest.mark.parametrize("name", ["sizedrop.invalid/jdk:21-trixie-arm64",
                                  "sizedrop.invalid/jdk:21-trixie-amd64-arm64",
                                  "sizedrop.invalid/jdk:21-trixie"])
def test_unsuffixed_strips_what_suffixed_adds(name):
    assert platforms.unsuffixed(name) == "sizedrop.invalid/jdk:21-trixie"


def test_app_tags_of_a_foreign_platform_never_meet_the_engines_own():
    v = catalog.Variant("go", "scratch")
    assert v.tag() == v.tag("local", OWN) == "sizedrop.invalid/go-app:scratch"
    assert v.tag("local", ARM) == "sizedrop.invalid/go-app:scratch-arm64"
    assert v.tag("local", MAC) == "sizedrop.invalid/go-app:scratch"


def test_lookalike_names_per_platform_and_cleanup_keeps_them_all():
    debian = imagesets.by_arg()["DEBIAN_IMAGE"]
    assert debian.local_for(None) == debian.local_for(OWN) == debian.local
    assert debian.local_for(ARM) == debian.local + "-arm64"
    for b in imagesets.BASE_IMAGES:
        assert cleanup.is_base_name(b.local_for(ARM)), b
        assert cleanup.is_base_name(ARM.both(b.local)), b
    assert not cleanup.is_base_name("sizedrop.invalid/go-app:scratch-arm64")


# ------------------------------------------------------------------ which stage runs where

def _roles(lang, variant):
    return platforms.base_roles(catalog.Variant(lang, variant).dockerfile.read_text())


def test_stage_roles_of_the_sample_dockerfiles():
    # Go compiles on the build machine (GOARCH=$TARGETARCH); the runtime base is the target's.
    assert _roles("go", "scratch") == {"GO_IMAGE": {platforms.BUILD}}
    assert _roles("go", "distroless") == {"GO_IMAGE": {platforms.BUILD},
                                          "DISTROLESS_STATIC_IMAGE": {platforms.TARGET}}
    assert _roles("go", "single-stage") == {"GO_IMAGE": {platforms.TARGET}}
    # jlink links a runtime for the target with the target's JDK, after javac ran natively;
    # ldd finds the target's C libraries in the target's JDK image; the runtime is static.
    assert _roles("java", "jlink") == {"JDK_IMAGE": {platforms.BUILD, platforms.TARGET},
                                       "DISTROLESS_STATIC_IMAGE": {platforms.TARGET}}
    assert _roles("java", "multi-stage") == {"JDK_IMAGE": {platforms.BUILD}, "JRE_IMAGE": {platforms.TARGET}}
    # Python's stages all run on the target (pip installs the target's wheels).
    assert _roles("python", "distroless") == {"DEBIAN_IMAGE": {platforms.TARGET},
                                              "DISTROLESS_PYTHON_IMAGE": {platforms.TARGET}}


def test_roles_read_platform_flags_in_every_spelling():
    source = ("ARG A\nARG B\nARG C\nARG D\n"
              "FROM --platform=${BUILDPLATFORM} ${A} AS one\n"
              "FROM --platform=$TARGETPLATFORM $B AS two\n"
              "FROM --platform=linux/amd64 ${C} AS three\n"
              "FROM one AS four\n"
              "FROM ${D}\nCOPY --from=one /x /x\nCOPY --from=two /y /y\nCOPY --from=three /z /z\n")
    assert platforms.base_roles(source) == {"A": {platforms.BUILD}, "B": {platforms.TARGET}, "D": {platforms.TARGET}}


def test_build_args_for_arm64_with_the_local_set():
    jlink = catalog.Variant("java", "jlink").dockerfile
    assert imagesets.build_args(jlink, "local", target=ARM) == {
        "JDK_IMAGE": "sizedrop.invalid/jdk:21-trixie-amd64-arm64",
        "DISTROLESS_STATIC_IMAGE": "sizedrop.invalid/distroless/static:debian13-nonroot-arm64"}
    scratch = catalog.Variant("go", "scratch").dockerfile
    assert imagesets.build_args(scratch, "local", target=ARM) == {
        "GO_IMAGE": "sizedrop.invalid/golang:1.27-trixie"}
    distroless = catalog.Variant("python", "distroless").dockerfile
    assert imagesets.build_args(distroless, "local", {"PIP_NO_INDEX": "1"}, ARM) == {
        "DEBIAN_IMAGE": "sizedrop.invalid/debian:trixie-slim-arm64",
        "DISTROLESS_PYTHON_IMAGE": "sizedrop.invalid/distroless/python3:debian13-nonroot-arm64",
        "PIP_NO_INDEX": "1"}
    # The engine's own platform, and the official set, are exactly as before.
    for v in catalog.variants():
        assert imagesets.build_args(v.dockerfile, "local", target=OWN) == \
            imagesets.build_args(v.dockerfile, "local")
        assert imagesets.build_args(v.dockerfile, "official", target=ARM) == {}
    assert [b.arg for b in imagesets.needs_both(jlink, ARM)] == ["JDK_IMAGE"]
    assert imagesets.needs_both(jlink, OWN) == []
    assert not any(imagesets.needs_both(v.dockerfile, ARM) for v in catalog.variants()
                   if v != catalog.Variant("java", "jlink"))


def test_emulated_python_builds_stretch_the_unit_tests_time_limits():
    # lab.build_args without a client: base images plus the time factor, no wheel probing.
    from lessons import lab
    factor = str(platforms.EMULATED_TEST_TIME_FACTOR)
    for variant in catalog.variants_of("python"):
        v = catalog.Variant("python", variant)
        assert "TEST_TIME_FACTOR" in imagesets.declared_args(v.dockerfile), v
        assert lab.build_args(v, "official", target=ARM) == {"TEST_TIME_FACTOR": factor}
        assert "TEST_TIME_FACTOR" not in lab.build_args(v, "official", target=OWN)
        assert "TEST_TIME_FACTOR" not in lab.build_args(v, "official", target=MAC)
        assert "TEST_TIME_FACTOR" not in lab.build_args(v, "official")
    # Files that do not declare it never get it (BuildKit would warn about an unused arg).
    for v in catalog.variants():
        if v.language != "python":
            assert "TEST_TIME_FACTOR" not in lab.build_args(v, "local", target=ARM), v


def test_which_lookalikes_an_arm64_build_needs():
    need = imagesets.needed_for(catalog.Variant("java", "jlink").dockerfile, ARM)
    assert [b.arg for b in need["native"]] == ["JDK_IMAGE"]
    assert [b.arg for b in need["target"]] == ["JDK_IMAGE", "DISTROLESS_STATIC_IMAGE"]
    need = imagesets.needed_for(catalog.Variant("go", "scratch").dockerfile, ARM)
    assert [b.arg for b in need["native"]] == ["GO_IMAGE"] and need["target"] == []


# ------------------------------------------------------------------ command lines

def test_build_argv_has_the_platform_only_when_asked(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    argv = B.build_argv(app / "Dockerfile", app, "t:arm64", cwd=tmp_path, platform="linux/arm64")
    assert argv[:7] == ["docker", "buildx", "build", "--progress=plain", "--load",
                        "--platform", "linux/arm64"]
    assert "--platform" not in B.build_argv(app / "Dockerfile", app, "t", cwd=tmp_path)
    two = B.build_argv(app / "Dockerfile", app, "t", cwd=tmp_path,
                       platform="linux/amd64,linux/arm64")
    assert two[two.index("--platform") + 1] == "linux/amd64,linux/arm64"


def test_run_command_shows_the_platform():
    argv = R.run_command("sizedrop.invalid/go-app:scratch-arm64", platform="linux/arm64")
    assert argv[:5] == ["docker", "run", "-d", "--platform", "linux/arm64"]
    assert "--platform" not in R.run_command("x")


def test_recipe_hash_of_the_engines_own_platform_is_unchanged():
    for b in imagesets.BASE_IMAGES:
        assert localset.recipe_hash(b, "p") == localset.recipe_hash(b, "p", OWN)
        assert localset.recipe_hash(b, "p") != localset.recipe_hash(b, "p", ARM)


# ------------------------------------------------------------------ wheels and emulation

@pytest.mark.parametrize("name, arch", [
    ("markupsafe-3.0.4-cp313-cp313-manylinux2014_x86_64.manylinux_2_17_x86_64."
     "manylinux_2_28_x86_64.whl", "amd64"),
    ("markupsafe-3.0.4-cp313-cp313-manylinux2014_aarch64.manylinux_2_17_aarch64."
     "manylinux_2_28_aarch64.whl", "arm64"),
    ("flask-3.1.3-py3-none-any.whl", None)])
def test_wheel_architecture_from_its_platform_tag(name, arch):
    assert W.wheel_arch(name) == arch


def test_missing_wheels_per_architecture(tmp_path):
    for pkg, version in W.pins():
        tail = "cp313-cp313-manylinux2014_x86_64.whl" if pkg == "markupsafe" else "py3-none-any.whl"
        (tmp_path / f"{pkg}-{version}-{tail}").write_bytes(b"")
    assert W.missing("amd64", tmp_path) == []
    assert [m.split("==")[0] for m in W.missing("arm64", tmp_path)] == ["markupsafe"]


def _binfmt(tmp_path, text):
    root = tmp_path / "binfmt_misc"
    root.mkdir(parents=True)
    (root / "status").write_text("enabled\n")
    if text is not None:
        (root / "qemu-aarch64").write_text(text)
    return root


def test_emulation_problems_are_named(tmp_path):
    good = ("enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: PF\n"
            "offset 0\nmagic 7f454c46\n")
    assert platforms.emulation_problem(ARM, _binfmt(tmp_path / "a", good)) == ""
    assert platforms.binfmt_entry("arm64", tmp_path / "a" / "binfmt_misc")["flags"] == "PF"
    assert "F flag" in platforms.emulation_problem(ARM, _binfmt(tmp_path / "b", good.replace("PF", "P")))
    assert "disabled" in platforms.emulation_problem(ARM, _binfmt(tmp_path / "c", "disabled\n"))
    assert "no qemu-aarch64" in platforms.emulation_problem(ARM, _binfmt(tmp_path / "d", None))
    empty = tmp_path / "e"
    empty.mkdir()
    assert "not mounted" in platforms.emulation_problem(ARM, empty)
    assert platforms.emulation_problem(OWN, empty) == ""


def test_prepare_keeps_one_architectures_wheels_in_the_build_context(tmp_path, monkeypatch):
    """amd64 then arm64 then amd64 again: each time the folder holds exactly that
    architecture's wheels (the others wait outside the context), and nothing is downloaded
    while every pinned wheel is at hand."""
    folder, cache = tmp_path / "wheels", tmp_path / "cache"
    folder.mkdir()
    monkeypatch.setattr(W, "WHEELS", folder)
    monkeypatch.setenv("LESSONS_CACHE", str(cache))
    monkeypatch.setattr(W, "download", lambda arch: pytest.fail(f"downloaded for {arch}"))
    tails = {"amd64": "cp313-cp313-manylinux2014_x86_64.whl",
             "arm64": "cp313-cp313-manylinux2014_aarch64.whl"}
    for pkg, version in W.pins():
        if pkg != "markupsafe":
            (folder / f"{pkg}-{version}-py3-none-any.whl").write_bytes(b"")
        else:
            (folder / f"{pkg}-{version}-{tails['amd64']}").write_bytes(b"")
            W.store("arm64").mkdir(parents=True)
            (W.store("arm64") / f"{pkg}-{version}-{tails['arm64']}").write_bytes(b"")
    for arch in ("arm64", "amd64", "arm64"):
        W.prepare(arch)
        assert W.have_wheels(arch) and not W.have_wheels("amd64" if arch == "arm64" else "arm64")
        assert {W.wheel_arch(w.name) for w in folder.glob("*.whl")} == {None, arch}
        assert not str(W.store(arch)).startswith(str(folder))


@pytest.mark.parametrize("value, limit", [("", "2.0"), ("1", "2.0"), ("10", "20.0"),
                                          ("abc", None), ("0.5", None), ("nan", None)])
def test_the_python_apps_stop_limit_reads_the_time_factor(value, limit):
    import subprocess
    import sys
    tests_dir = catalog.SAMPLE_APPS / "python" / "tests"
    code = "import test_server; print(test_server.STOP_LIMIT_S)"
    done = subprocess.run([sys.executable, "-c", code], cwd=tests_dir, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin", "TEST_TIME_FACTOR": value})
    if limit is None:
        assert done.returncode == 1
        assert done.stderr.strip() == \
            f"TEST_TIME_FACTOR must be a number of at least 1, not {value!r}"
    else:
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == limit


def test_an_image_without_the_platform_gets_a_platform_hint_not_a_registry_one():
    from lessons.errors import hint_for
    msg = ("ERROR: failed to solve: gcr.io/distroless/static-debian13:nonroot: failed to resolve "
           "source metadata for gcr.io/distroless/static-debian13:nonroot: no match for platform "
           "in manifest: not found")
    assert "--platform" in hint_for(msg) and "registry" not in hint_for(msg)
    assert "no registry here?" in hint_for("failed to resolve source metadata: i/o timeout")
