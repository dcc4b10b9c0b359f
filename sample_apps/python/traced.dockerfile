# Size Drop, Python, variant 4 of 4: the traced image, closer to the floor than distroless.
# Distroless python3 ships the whole interpreter: every standard library module, every C
# library behind one, whether the app loads it or not. This file RUNS the app in a trace stage
# and keeps only what was loaded: the interpreter and the shared libraries its processes
# mapped (read from /proc/<pid>/maps), the Python modules they imported (sys.modules and the
# files the import system opened, recorded in every process), and the app. A rootfs stage
# copies exactly those files, with the symbolic links that lead to them, into an empty folder,
# and the runtime is that folder on `scratch`. No shell, no package manager, no pip; and no
# module the trace did not see.
#
# THE RISK this file takes on: a module imported only on a path the trace never took (an
# error nobody provoked, a feature nobody asked for) is missing, and that import fails in
# production. So the trace exercises everything the app is asked to do: its unit tests, every
# path of the contract, malformed requests, a burst, the health check (healthy and not), a
# worker killed and replaced, and SIGTERM. The live contract tests then run against the image.
#
# THE .pyc CHOICE: what form the Python modules ship in (--build-arg PYC_LAYOUT=...). Measured
# on this lab's machine (2 shared cores, local image set, 2026-12-02): bytes of the modules,
# the image (uncompressed / gzip), time from `docker run` to the first 200 on /healthz (median of
# 15 runs, interleaved; the machine was busy, so the CPU time the container used until then,
# median of 7, is the steadier figure) and memory when idle:
#
#   layout      modules   image MB        healthy   CPU     idle MB
#   pyc         5.99 MB   26.98 / 10.24   0.92 s    0.26 s  35.7   <- chosen
#   pyc-full    6.29 MB   27.28 / 10.78   0.99 s    0.27 s  36.0
#   pyc-oo      5.10 MB   26.09 / 10.33   0.90 s    0.24 s  33.9
#   both       11.69 MB   32.91 / 12.14   0.85 s    0.24 s  36.2
#   py          5.40 MB   26.40 /  9.58   2.00 s    0.93 s  44.9
#   (distroless.dockerfile, for reference:  66.78 / 23.06  0.73 s  0.28 s  36.3)
#
#   pyc       bytecode only, at the module's own path (x.pyc where x.py was, as `compileall -b`
#             writes it), compiled with -X no_debug_ranges: no column tables, which only serve
#             the ^^^^ marks under a quoted source line, and with no source there is none to
#             quote. Tracebacks still give file and line number.
#   pyc-full  the same with the column tables: 0.3 MB for nothing visible.
#   pyc-oo    compiled with -OO: no docstrings and no asserts. Smaller, but it changes what the
#             program does, so the tests would no longer vouch for it.
#   both      .py plus __pycache__/*.pyc, as Debian and pip install them: tracebacks quote
#             source lines, for 5.7 MB more.
#   py        source only: 0.6 MB smaller than pyc (Python 3.13 bytecode with its exception and
#             line tables is bigger than the source), but every process, including each
#             gunicorn worker and every health check, compiles every module on every start
#             (the root filesystem is read-only, nothing is cached): 3.6x the CPU to become
#             healthy and 9 MB more memory per container.
# pyc is the smallest layout that starts as fast as an ordinary install.
#
#   docker build -f traced.dockerfile -t python-app:traced .
#   docker build -f traced.dockerfile --target trace .   # see what the trace recorded
ARG DEBIAN_IMAGE=debian:trixie-slim

# build: Debian's python3 creates /opt/venv and installs the dependencies next to the app.
FROM ${DEBIAN_IMAGE} AS build

# As in distroless.dockerfile: Debian's own interpreter at /usr/bin/python3.13, so the venv's
# links and its compiled wheel (markupsafe) fit the files the rootfs stage copies. ca-certificates
# brings the CA bundle the runtime gets at the usual path.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# Offline builds only (see wheels/README.md): --build-arg PIP_NO_INDEX=1 and
# --build-arg PIP_FIND_LINKS=/wheels make pip install from the wheels copied below instead of
# PyPI. No defaults on purpose: an ARG that is not passed is not set at all in RUN's
# environment, so a normal build with internet access installs from PyPI as usual.
ARG PIP_NO_INDEX
ARG PIP_FIND_LINKS

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

WORKDIR /app

# Dependencies before the source, pip's cache as a cache mount, pip removed once it is done.
COPY requirements.txt ./
COPY wheels/ /wheels/
RUN --mount=type=cache,target=/root/.cache/pip \
    python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install -r requirements.txt \
 && /opt/venv/bin/python -m pip uninstall --yes --quiet pip

# The source (a separate layer, so editing it reuses everything above).
COPY gunicorn.conf.py ./
COPY sizedrop_app/ ./sizedrop_app/

# test: the unit tests, run by the interpreter the runtime uses, on the files that ship.
FROM build AS test
COPY tests/ ./tests/
# The tests' time limits (gunicorn gone within 2 s of SIGTERM) are for a native CPU. Under
# emulation (an arm64 image built on an amd64 machine) Python runs several times slower and
# the lab passes --build-arg TEST_TIME_FACTOR=N to stretch them; 1 everywhere else.
ARG TEST_TIME_FACTOR=1
RUN /opt/venv/bin/python -m unittest discover -s tests

# trace: run the tested app as production runs it and record every file its processes load.
FROM test AS trace
COPY tracing/ /tracing/
# The tracer runs the unit tests again, under the recorder: the same time limits (an ARG
# belongs to the stage that declares it, so this stage declares it again).
ARG TEST_TIME_FACTOR=1
# tracing/tracer.py puts a recorder into the venv for the length of the run (and takes it out
# again), runs the unit tests and then gunicorn with its config as user 65532, exercises it,
# and writes /trace/manifest.tsv (the files), runner-only.txt (what only the test runner
# loaded: left out) and summary.json. The script itself runs isolated (-I) and is not traced.
RUN python3 -I /tracing/tracer.py run --app /app --venv /opt/venv --out /trace

# rootfs: exactly the traced files, in an empty folder, plus users, /tmp and the CA bundle.
FROM trace AS rootfs
ARG PYC_LAYOUT=pyc
SHELL ["/bin/bash", "-o", "errexit", "-o", "nounset", "-o", "pipefail", "-c"]
# tracer.py assemble copies the manifest's files and the links that lead to them (the venv's
# python -> /usr/bin/python3.13, /lib64/ld-linux-x86-64.so.2, libz.so.1 -> libz.so.1.3.1, the
# merged-/usr links /bin and /lib), writes the modules in PYC_LAYOUT, and adds what no process
# loads but a root filesystem needs: /etc/passwd and /etc/group with nonroot (65532), /tmp
# (1777), /home/nonroot, the CA bundle; and for audits, each Debian package's copyright file and
# dpkg record (var/lib/dpkg/status.d, as distroless has) and each Python distribution's
# METADATA and licence, about 0.1 MB together.
# Then checks, in a chroot of the folder (as sample_apps/local-images/distroless.dockerfile
# does): every ELF file finds its libraries there, and the interpreter starts as 65532, finds
# its prefix and imports the app, printing no warning. A missing file fails the build here.
RUN python3 -I /tracing/tracer.py assemble --manifest /trace/manifest.tsv \
      --layout "${PYC_LAYOUT}" --rootfs /rootfs --venv /opt/venv \
 && ldso="$(ldd /usr/bin/python3.13 | awk '/ld-linux/ { print $1 }')" \
 && find /rootfs -type f \( -name '*.so' -o -name '*.so.*' -o -path '*/bin/*' \) -print0 \
    | while IFS= read -r -d '' elf; do \
        [ "$(head -c 4 "$elf")" = $'\x7fELF' ] || continue; \
        chroot /rootfs "$ldso" --list "${elf#/rootfs}" > /dev/null \
          || { echo "unresolved library in ${elf#/rootfs}"; exit 1; }; \
      done \
 && chroot --userspec=65532:65532 /rootfs /opt/venv/bin/python -c \
      'import os, sys; os.chdir("/app"); sys.path.insert(0, "/app"); import sizedrop_app.wsgi, sizedrop_app.healthcheck, gunicorn.app.wsgiapp; print("rootfs ok:", sys.prefix, sys.base_prefix)' \
      2> /tmp/rootfs-stderr \
 && if [ -s /tmp/rootfs-stderr ]; then cat /tmp/rootfs-stderr; exit 1; fi \
 && du -sh --apparent-size /rootfs

# runtime: the traced root filesystem as the whole image.
FROM scratch AS runtime
COPY --from=rootfs /rootfs /

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt

WORKDIR /app

USER 65532:65532

EXPOSE 8080

# No shell: HEALTHCHECK and ENTRYPOINT in exec form, with full paths, as the trace ran them.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
    CMD ["/opt/venv/bin/python", "-m", "sizedrop_app.healthcheck"]

ENTRYPOINT ["/opt/venv/bin/python", "-m", "gunicorn"]
CMD ["--config", "gunicorn.conf.py"]
