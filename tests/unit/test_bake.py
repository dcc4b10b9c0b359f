"""docker-bake.hcl builds what the lab builds: every variant, tagged, labelled and given the
base images exactly as ``python -m lessons compare`` does one image at a time.

Reads the file through ``docker buildx bake --print`` (buildx resolves the HCL, its variables and
the environment; no engine is needed). Skipped with the reason where the buildx plugin is
missing (hosted CI on macOS and Windows); .ci/run always has it.
"""

from __future__ import annotations

import os

import pytest

from lessons import bake, build, catalog, imagesets, lab, labels, wheels

pytestmark = pytest.mark.skipif(not build.has_buildx(),
                                reason="the docker CLI with its buildx plugin is not installed")

ALL = catalog.variants()


def resolved(env):
    # The variables must not leak in from the caller's environment (a notebook's exports).
    clean = {b.arg: None for b in imagesets.BASE_IMAGES}
    saved = {k: os.environ.pop(k) for k in list(clean) + ["PIP_NO_INDEX", "PIP_FIND_LINKS",
                                                           "IMAGE_SET"] if k in os.environ}
    try:
        return bake.resolved([bake.target_name(v) for v in ALL], env)["target"]
    finally:
        os.environ.update(saved)


@pytest.mark.parametrize("image_set", imagesets.SETS)
def test_every_variant_is_a_target_with_the_labs_tag_labels_and_context(image_set):
    targets = resolved({"IMAGE_SET": image_set})
    assert sorted(targets) == sorted(bake.target_name(v) for v in ALL)
    for v in ALL:
        t = targets[bake.target_name(v)]
        assert (catalog.REPO_ROOT / t["context"]).resolve() == v.context.resolve(), v
        assert t["dockerfile"] == v.dockerfile.name, v
        assert t["tags"] == [v.tag()], v
        assert t["labels"] == labels.managed(**lab.labels_for(v, image_set)), v


def test_base_images_are_the_official_tags_by_default():
    targets = resolved({})
    for v in ALL:
        args = targets[bake.target_name(v)]["args"]
        for base in imagesets.base_images_of(v.dockerfile):
            assert args[base.arg] == base.official, (v, base.arg)


def test_local_set_gives_each_build_the_args_a_single_build_gets():
    env = bake.bake_env(None, "local", ALL)
    env.update(wheels.offline_args())       # what bake_env adds when builds cannot reach PyPI
    targets = resolved(env)
    for v in ALL:
        args = targets[bake.target_name(v)]["args"]
        single = imagesets.build_args(v.dockerfile, "local", wheels.offline_args())
        for name, value in single.items():
            assert args.get(name) == value, (v, name)


def test_pip_settings_are_not_passed_when_unset():
    targets = resolved({})
    for v in catalog.variants("python"):
        args = targets[bake.target_name(v)]["args"]
        assert "PIP_NO_INDEX" not in args and "PIP_FIND_LINKS" not in args, v


def test_the_shown_command_sets_the_variables_it_needs():
    line = bake.command(["go-scratch"], {"IMAGE_SET": "local",
                                         "GO_IMAGE": "sizedrop.invalid/golang:1.27-trixie"})
    assert line == ("IMAGE_SET=local GO_IMAGE=sizedrop.invalid/golang:1.27-trixie docker buildx "
                    "bake --progress=plain -f docker-bake.hcl go-scratch")


def test_baked_python_builds_stretch_their_tests_time_limits():
    targets = resolved(bake.bake_env(None, "local", catalog.variants("python")))
    for v in catalog.variants("python"):
        assert targets[bake.target_name(v)]["args"]["TEST_TIME_FACTOR"] == \
            str(bake.PARALLEL_TEST_TIME_FACTOR)
    assert "TEST_TIME_FACTOR" not in resolved({})["python-traced"]["args"]
