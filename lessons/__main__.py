"""Command line: ``python -m lessons COMMAND`` (``--help`` lists them)."""

from __future__ import annotations

import argparse
import shutil
import sys

from . import session
from .errors import LabBug, debugging, explain, one_line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lessons",
        description="Size Drop lab: build, run and measure the sample apps' images.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("compare", help="build every variant, check it answers, print sizes")
    p.add_argument("--lang", nargs="+", help="go java python (default: all)")
    p.add_argument("--variant", nargs="+",
                   help="single-stage multi-stage distroless scratch jlink (default: all)")
    p.add_argument("--images", choices=["auto", "official", "local"],
                   help="image set (default: $LESSONS_IMAGES or auto)")
    p.add_argument("--platform", help="build and run for this platform, e.g. linux/arm64 "
                   "(default: $LESSONS_PLATFORM, else the engine's own; another one runs "
                   "under emulation)")
    p.add_argument("--csv", help="also write the table to this CSV file")
    p.add_argument("--plot", help="also draw the size-drop chart to this PNG file")
    p.add_argument("--recorded", action="store_true",
                   help="show the recorded run even if an engine answers")
    p.add_argument("--no-bake", action="store_true",
                   help="build each image with its own `docker buildx build` instead of all of "
                   "them in one `docker buildx bake` (docker-bake.hcl)")

    p = sub.add_parser("images", help="the image sets: list them or build the local one")
    p.add_argument("--build-local", action="store_true",
                   help="build the local lookalikes from Debian packages (skips built ones)")
    p.add_argument("--force", action="store_true", help="rebuild even up-to-date lookalikes")
    p.add_argument("--lock", action="store_true",
                   help="write sample_apps/images.lock: the digest of every base image this "
                   "engine can prove (lookalikes it has; official images it pulled)")
    p.add_argument("--verbose", action="store_true", help="stream every build log line")
    p.add_argument("--platform", help="build the lookalikes for this platform, e.g. linux/arm64 "
                   "(default: $LESSONS_PLATFORM, else the engine's own; another one is built "
                   "under emulation, its names end in the architecture)")

    p = sub.add_parser("clean", help="remove what every lab session made: containers, app and "
                       "work images, temporary folders (only those)")
    p.add_argument("--all", action="store_true",
                   help="also remove the local lookalike base images")

    p = sub.add_parser("classroom", help="a registry for the room: serve, push, pull")
    p.add_argument("action", choices=["serve", "push", "pull"])
    p.add_argument("--registry", help="HOST:PORT (default: $LESSONS_REGISTRY, or 127.0.0.1:5000)")
    p.add_argument("--addr", default="0.0.0.0:5000", help="where `serve` listens")

    p = sub.add_parser("record", help="take a full live run and save it for replay mode")
    p.add_argument("--only", nargs="+", help="record only these parts (default: all)")
    p.add_argument("--notebooks", nargs="+",
                   help="with the transcripts part: only these notebooks (e.g. 04)")

    p = sub.add_parser("times", help="per notebook, the live minutes a test run measured "
                       "(LESSONS_TIMES=FILE pytest notebooks writes FILE)")
    p.add_argument("file", help="the CSV of cell times")
    p.add_argument("--save", metavar="ENGINE",
                   help="also put these times into notebooks/measured-times.csv under this "
                        "engine's name (notebooks/README.md's minutes cite that file)")
    p.add_argument("--source", default="",
                   help="with --save: where the run happened (machine, commit, date)")

    p = sub.add_parser("targets", help="instructors: build notebook 07's reference images, "
                       "measure their sizes and floors, and write the targets to "
                       "notebooks/transfer/targets.csv")
    p.add_argument("--lang", nargs="+", choices=["go", "java", "python"],
                   help="measure only these (the other rows stay as they are)")

    p = sub.add_parser("check", help="build and check your work folder for an exercise")
    p.add_argument("exercise", help="e.g. 03-distroless-health or 07-challenge-go")

    args = parser.parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("interrupted: containers the lab started were removed; "
              "run `python -m lessons clean` to tidy anything left", file=sys.stderr)
        return 130
    except Exception as exc:   # the CLI's top level: every error ends here, in one line
        if debugging():
            raise
        err = explain(exc)
        print(one_line(err), file=sys.stderr)
        return 3 if isinstance(err, LabBug) else 2
    finally:   # a CLI run is a session of its own: its temporary files go with it
        shutil.rmtree(session.tmp_path(session.current()), ignore_errors=True)


def _run(args) -> int:
    if args.command == "compare":
        return _compare(args)
    if args.command == "images":
        return _images(args)
    if args.command == "clean":
        return _clean(args)
    if args.command == "classroom":
        return _classroom(args)
    if args.command == "times":
        from . import schedule
        print(schedule.measured(args.file).to_string(index=False))
        if args.save:
            schedule.save_measured(args.file, args.save, args.source)
            print(f"saved under {args.save!r} in {schedule.MEASURED.relative_to(schedule.REPO_ROOT)}")
        return 0
    if args.command == "targets":
        return _targets(args)
    if args.command == "record":
        from . import record
        record.main(only=args.only, notebooks=args.notebooks)
        return 0
    return _check(args)


def _log(line: str) -> None:
    print(line, flush=True)


def _compare(args) -> int:
    from . import compare
    from .sources import recorded as recorded_run
    from .sources import select

    if args.recorded:
        recorded = recorded_run()
        df = select(recorded.table("sizes"), args.lang, args.variant)
        print(recorded.banner())
    else:
        df = compare.table(args.lang, args.variant, args.images, log=_log,
                           platform=args.platform, use_bake=not args.no_bake)
    print()
    print(compare.render(df))
    if args.csv:
        df.to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")
    if args.plot:
        from . import plots
        plots.size_drop(df).savefig(args.plot, dpi=120, bbox_inches="tight")
        print(f"wrote {args.plot}")
    bad = df[~df["answered"].astype(bool)] if "answered" in df else df.iloc[0:0]
    if len(bad):
        print(f"error: {len(bad)} image(s) did not answer correctly: "
              + ", ".join(f"{r.language}/{r.variant}" for r in bad.itertuples()), file=sys.stderr)
        return 1
    return 0


def _images(args) -> int:
    from . import engine, localset, platforms

    client = engine.connect()
    target = platforms.resolve(client, args.platform)
    if args.build_local:
        def progress(i, n, name, state):
            _log(f"[{i}/{n}] {name}: {state}")
        localset.build_all(client, force=args.force, progress=progress,
                           on_line=_log if args.verbose else None, target=target)
    import pandas as pd
    print(pd.DataFrame(localset.status(client, target)).to_string(index=False))
    from . import pins

    if args.lock:
        lock = pins.write(client)
        for image_set in ("local", "official"):
            print(f"{pins.LOCK.name} {image_set}: {lock['written'][image_set]}")
    same, locked = pins.matching(client)
    print(f"lookalikes that are the images in {pins.LOCK.name}: {same} of {locked} (builds pin "
          "those by digest; write this machine's with `python -m lessons images --lock`)")
    return 0


def _targets(args) -> int:
    import pandas as pd

    from . import challenge, engine, imagesets

    client = engine.connect()
    image_set = imagesets.choose(client)
    df = challenge.measure(client, image_set, log=_log, languages=args.lang)
    if args.lang and challenge.TARGETS.exists():
        kept = challenge.targets()
        order = list(challenge.SERVICES).index
        df = pd.concat([kept[~kept["language"].isin(args.lang)], df]).sort_values(
            "language", key=lambda col: col.map(order))
    df.to_csv(challenge.TARGETS, index=False)
    print(df.to_string(index=False))
    print(f"wrote {challenge.TARGETS.relative_to(challenge.catalog.REPO_ROOT)}")
    return 0


def _check(args) -> int:
    from . import engine, exercises, imagesets, lab
    from .sources import LiveSource

    exercises.get(args.exercise)   # a wrong name: one line, before any work
    client = engine.connect()
    image_set = imagesets.choose(client)
    lab.apply_build_env(lab.build_env(client, image_set))
    result = exercises.check(args.exercise, LiveSource(client, image_set))
    return 0 if result.passed else 1


def _clean(args) -> int:
    from . import cleanup, engine

    report = cleanup.clean(engine.connect(), base_images=args.all)
    for kind, names in report.items():
        print(f"removed {len(names)} {kind}" + (": " + ", ".join(names) if names else ""))
    print("(images: the lab's names removed; untagged images: build leftovers without a "
          "name, by id)")
    return 0


def _classroom(args) -> int:
    from . import classroom, engine, imagesets

    if args.action == "serve":
        proc = classroom.serve(args.addr)
        print(f"registry listening on {args.addr} (pid {proc.pid}); Ctrl-C stops it")
        try:
            proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
        return 0
    registry = args.registry or classroom.registry_from_env() or "127.0.0.1:5000"
    client = engine.connect()
    if args.action == "push":
        image_set = imagesets.choose(client)
        done = classroom.push(client, registry, image_set, progress=_log)
        print(f"pushed {len(done)} images; learners run: "
              f"{classroom.ENV}={registry} python -m lessons classroom pull")
    else:
        image_set = classroom.pull(client, registry, progress=_log)
        print(f"ready: the '{image_set}' image set came from {registry}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
