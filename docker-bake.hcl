# Every app and variant of the series in one file, for `docker buildx bake`: one BuildKit
# session builds them all, shared stages once and independent steps in parallel.
#
#   docker buildx bake                 # all 12 images, official base images (needs a registry)
#   docker buildx bake go              # one language; or one image: docker buildx bake go-scratch
#   docker buildx bake --print         # the resolved builds, without building
#
# The base images are variables whose defaults are the official tags (the Dockerfiles' own ARG
# defaults). With no registry, the lab's local lookalikes stand in: put their names in the
# environment, as the notebooks do for you (`lab.exports()` prints the lines) and
# `python -m lessons compare` does when it runs this file:
#
#   GO_IMAGE=sizedrop.invalid/golang:1.27-trixie ... IMAGE_SET=local docker buildx bake
#
# Images are tagged and labelled exactly as `python -m lessons compare` tags them
# (tests/unit/test_bake.py holds this file to lessons/catalog.py and lessons/imagesets.py).

variable "IMAGE_SET" { default = "official" }

variable "DEBIAN_IMAGE" { default = "debian:trixie-slim" }
variable "GO_IMAGE" { default = "golang:1.27-trixie" }
variable "JDK_IMAGE" { default = "eclipse-temurin:21-jdk" }
variable "JRE_IMAGE" { default = "eclipse-temurin:21-jre" }
variable "PYTHON_IMAGE" { default = "python:3.13-trixie" }
variable "PYTHON_SLIM_IMAGE" { default = "python:3.13-slim-trixie" }
variable "DISTROLESS_STATIC_IMAGE" { default = "gcr.io/distroless/static-debian13:nonroot" }
variable "DISTROLESS_JAVA_IMAGE" { default = "gcr.io/distroless/java21-debian13:nonroot" }
variable "DISTROLESS_PYTHON_IMAGE" { default = "gcr.io/distroless/python3-debian13:nonroot" }

# pip's offline settings for machines whose builds cannot reach PyPI (the lab downloads the
# wheels into sample_apps/python/wheels first). Unset (null) means not passed at all.
variable "PIP_NO_INDEX" { default = null }
variable "PIP_FIND_LINKS" { default = null }

# The Python apps' unit tests, run inside every build, time how fast gunicorn starts and stops.
# Twelve builds at once share the machine's CPUs, so `python -m lessons compare` stretches those
# limits (TEST_TIME_FACTOR=3); unset, the Dockerfiles' own 1 holds.
variable "TEST_TIME_FACTOR" { default = null }

group "default" {
  targets = ["go", "java", "python"]
}

# What every image carries: the lab's labels (cleanup and the tables key on them).
target "_app" {
  labels = {
    "sizedrop.managed" = "true"
    "sizedrop.image-set" = IMAGE_SET
  }
}

target "go" {
  inherits = ["_app"]
  name = "go-${variant}"
  matrix = { variant = ["single-stage", "multi-stage", "distroless", "scratch"] }
  context = "sample_apps/go"
  dockerfile = "${variant}.dockerfile"
  tags = ["sizedrop.invalid/go-app:${variant}"]
  labels = { "sizedrop.app" = "go", "sizedrop.variant" = variant }
  args = {
    GO_IMAGE = GO_IMAGE
    DEBIAN_IMAGE = DEBIAN_IMAGE
    DISTROLESS_STATIC_IMAGE = DISTROLESS_STATIC_IMAGE
  }
}

target "java" {
  inherits = ["_app"]
  name = "java-${variant}"
  matrix = { variant = ["single-stage", "multi-stage", "distroless", "jlink"] }
  context = "sample_apps/java"
  dockerfile = "${variant}.dockerfile"
  tags = ["sizedrop.invalid/java-app:${variant}"]
  labels = { "sizedrop.app" = "java", "sizedrop.variant" = variant }
  args = {
    JDK_IMAGE = JDK_IMAGE
    JRE_IMAGE = JRE_IMAGE
    DISTROLESS_JAVA_IMAGE = DISTROLESS_JAVA_IMAGE
    DISTROLESS_STATIC_IMAGE = DISTROLESS_STATIC_IMAGE
  }
}

target "python" {
  inherits = ["_app"]
  name = "python-${variant}"
  matrix = { variant = ["single-stage", "multi-stage", "distroless", "traced"] }
  context = "sample_apps/python"
  dockerfile = "${variant}.dockerfile"
  tags = ["sizedrop.invalid/python-app:${variant}"]
  labels = { "sizedrop.app" = "python", "sizedrop.variant" = variant }
  args = {
    DEBIAN_IMAGE = DEBIAN_IMAGE
    PYTHON_IMAGE = PYTHON_IMAGE
    PYTHON_SLIM_IMAGE = PYTHON_SLIM_IMAGE
    DISTROLESS_PYTHON_IMAGE = DISTROLESS_PYTHON_IMAGE
    PIP_NO_INDEX = PIP_NO_INDEX
    PIP_FIND_LINKS = PIP_FIND_LINKS
    TEST_TIME_FACTOR = TEST_TIME_FACTOR
  }
}
