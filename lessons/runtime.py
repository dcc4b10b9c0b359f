"""Runtime costs: time from `docker run` to a healthy answer, memory idle and after a burst of
requests, and time to stop on SIGTERM. Several runs; median and spread reported."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import docker.errors
import pandas as pd

from . import engine, run
from .errors import EXPECTED, LabError, explain

BURST_REQUESTS = 400
BURST_CONCURRENCY = 16
BURST_PATH = "/primes?n=100000"


def memory_mb(container) -> float:
    """Resident memory of the container's processes (cgroup usage minus page cache)."""
    stats = engine.retried(container.stats, stream=False)
    mem = stats.get("memory_stats", {})
    usage = mem.get("usage", 0)
    detail = mem.get("stats", {})
    cache = detail.get("total_inactive_file", detail.get("inactive_file", detail.get("cache", 0)))
    return round((usage - cache) / 1e6, 1)


def burst(app: run.Running, requests: int = BURST_REQUESTS,
          concurrency: int = BURST_CONCURRENCY, path: str = BURST_PATH) -> dict:
    """A bounded burst on loopback; returns counts by status and the wall time."""
    def one(_):
        try:
            return app.get(path, timeout=10).status
        except OSError:
            return "error"
    t0 = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        statuses = list(pool.map(one, range(requests)))
    seconds = time.monotonic() - t0
    counts = {str(s): statuses.count(s) for s in set(statuses)}
    return {"seconds": seconds, "counts": counts, "ok": counts.get("200", 0) == requests}


def measure(client, tag: str, runs: int = 3) -> dict:
    """Median (and min-max) over ``runs`` fresh containers of the same image."""
    healthy, idle, busy, stops, killed = [], [], [], [], 0
    for _ in range(runs):
        app = run.start(client, tag, purpose="runtime")
        try:
            healthy.append(run.wait_healthy(app))
            time.sleep(0.5)
            idle.append(memory_mb(app.container))
            b = burst(app)
            if not b["ok"]:
                _check_still_there(client, app, tag)
                raise LabError(f"{tag} answered only {b['counts'].get('200', 0)} of "
                               f"{sum(b['counts'].values())} requests of the burst "
                               f"(by status: {b['counts']})",
                               "read its logs (`docker logs`) or re-run the cell")
            busy.append(memory_mb(app.container))
            result = run.stop(app, timeout=10)
            stops.append(result["stop_seconds"])
            killed += int(result["killed"])
        except LabError:
            raise
        except EXPECTED as err:
            _check_still_there(client, app, tag)
            raise explain(err, f"measuring the runtime of {tag}") from None
        finally:
            run.remove(app)
    return {
        "healthy_s": round(statistics.median(healthy), 2),
        "healthy_s_range": f"{min(healthy):.2f}-{max(healthy):.2f}",
        "idle_mb": statistics.median(idle),
        "after_burst_mb": statistics.median(busy),
        "stop_s": round(statistics.median(stops), 2),
        "stop_s_range": f"{min(stops):.2f}-{max(stops):.2f}",
        "killed_on_stop": killed,
        "runs": runs,
    }


def _check_still_there(client, app: run.Running, tag: str) -> None:
    """Raise the one line that says so when the container being measured is gone: removed
    from outside (another session's cleanup on a shared engine, a `docker rm -f`)."""
    try:
        client.containers.get(app.container.id)
    except docker.errors.NotFound:
        raise run.vanished(tag, "while it was being measured") from None
    except EXPECTED:
        pass   # the engine cannot say: the caller's own error tells what happened


def table(client, tags: dict, runs: int = 3) -> pd.DataFrame:
    """``tags``: {(language, variant): tag}."""
    rows = []
    for (lang, variant), tag in tags.items():
        row = {"language": lang, "variant": variant}
        row.update(measure(client, tag, runs))
        rows.append(row)
    return pd.DataFrame(rows)
