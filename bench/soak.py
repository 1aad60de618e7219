"""A bounded soak: mixed use at half of saturation, on PostgreSQL and Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postmortems \\
    REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/soak.py --minutes 30

Seeds a scratch database as bench/suite.py does (dropped at the end), starts
the product as docker-compose runs it (gunicorn with uvicorn workers, a
Celery worker, Redis), and finds its saturation: the requests per second the
mixed scenario of bench/locustfile.py reaches when every person asks again
as soon as answered. Then it paces the same people at a fraction of that
(half, by default) for the soak's length, samples the memory of the web
workers and of the Celery worker every minute, and prints per-window
requests, errors and p50 / p95, with the drift of p95 and the growth of
memory from the first window (after warm-up) to the last.
"""

import argparse
import collections
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import pct, recreate, stop
from suite import HERE, celery_worker, drive, prepare, serve_product, worker_rss


def rss(pid: int) -> int:
    """Resident memory of one process (kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def soak(base: str, plan_file: Path, *, people: int, rate: float, seconds: int, web, worker):
    """Paced locust for ``seconds``; (request log path, [(t, web kB, worker kB)])."""
    log = Path(tempfile.mkdtemp(prefix="pm-soak-")) / "requests.csv"
    locust = subprocess.Popen(
        [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
         "-u", str(people), "-r", str(people), "-t", f"{seconds}s", "--host", base,
         "--only-summary", "--loglevel", "ERROR"],
        env=os.environ | {"BENCH_SCENARIO": "mixed", "BENCH_PLAN": str(plan_file),
                          "BENCH_RATE": f"{rate / people:.4f}", "BENCH_LOG": str(log)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    memory = []
    started = time.time()
    while locust.poll() is None:
        memory.append((time.time() - started, worker_rss(web), rss(worker.pid)))
        with contextlib.suppress(subprocess.TimeoutExpired):
            locust.wait(60)
    memory.append((time.time() - started, worker_rss(web), rss(worker.pid)))
    return log, started, memory


def windows(log: Path, started: float, memory: list, minutes: int, seconds: int) -> list[dict]:
    """Per-window figures over the soak's ``seconds``: requests, errors,
    p50 / p95 (ms), the memory sampled last in the window."""
    rows = [line.split(",", 4) for line in log.read_text().splitlines()]
    width = 60 * minutes
    out = []
    for start in range(0, seconds - width + 1, width):
        inside = [r for r in rows if start <= float(r[0]) - started < start + width]
        if not inside:
            continue
        times = [float(r[2]) for r in inside]
        last = [m for m in memory if m[0] <= start + width] or memory[:1]
        out.append(
            {
                "from": start // 60,
                "to": (start + width) // 60,
                "requests": len(inside),
                "errors": sum(int(r[3]) for r in inside),
                "p50": pct(times, 0.5),
                "p95": pct(times, 0.95),
                "web": last[-1][1],
                "worker": last[-1][2],
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=int, default=30, help="length of the soak")
    parser.add_argument("--people", type=int, default=20, help="concurrent people")
    parser.add_argument("--fraction", type=float, default=0.5, help="of saturation")
    parser.add_argument("--probe-seconds", type=int, default=60, help="the saturation run")
    parser.add_argument("--window", type=int, default=5, help="minutes per table row")
    parser.add_argument("--workers", type=int, default=2, help="web workers (as docker-compose)")
    args = parser.parse_args()
    admin_url, database_url, redis_url, _, plan_file = prepare("bench_soak", people=args.people)
    from django.db import connection

    worker = celery_worker(database_url, redis_url)
    web, base = serve_product(database_url, redis_url, workers=args.workers)
    try:
        probe = drive(base, "mixed", plan_file, people=args.people, seconds=args.probe_seconds)
        rate = probe["rps"] * args.fraction
        log, started, memory = soak(
            base, plan_file, people=args.people, rate=rate, seconds=60 * args.minutes,
            web=web, worker=worker,
        )  # fmt: skip
    finally:
        stop(web, worker)
        connection.close()
        recreate(admin_url, database_url, drop_only=True)
    report(args, probe, rate, windows(log, started, memory, args.window, 60 * args.minutes))
    failures = collections.Counter(
        (name, why)
        for _, name, _, failed, why in (r.split(",", 4) for r in log.read_text().splitlines())
        if failed == "1"
    )
    for (name, why), count in failures.most_common():
        print(f"- {count} x {name}: {why}")


def report(args, probe: dict, rate: float, rows: list[dict]) -> None:
    print(
        f"\nSaturation ({args.people} people, no pause, {args.probe_seconds} s): "
        f"{probe['rps']:.0f} req/s, p50 {probe['p50']:.0f} ms, p95 {probe['p95']:.0f} ms, "
        f"{probe['failures']} failures. Soak at {args.fraction:.0%} of it: {rate:.1f} req/s "
        f"for {args.minutes} min, {args.workers} gunicorn workers + 1 Celery worker.\n"
    )
    print("| minutes | requests | req/s | errors | p50 ms | p95 ms | web workers MB | Celery MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        seconds = 60 * (r["to"] - r["from"])
        print(
            f"| {r['from']} to {r['to']} | {r['requests']:,} | {r['requests'] / seconds:.1f} | "
            f"{r['errors']} | {r['p50']:.0f} | {r['p95']:.0f} | {r['web'] / 1024:.0f} | "
            f"{r['worker'] / 1024:.0f} |"
        )
    first, last = rows[0], rows[-1]
    print(
        f"\nErrors: {sum(r['errors'] for r in rows)} of {sum(r['requests'] for r in rows):,} "
        f"requests. p95 drift, last window against the first: {last['p95'] / first['p95']:.2f}x. "
        f"Memory from the end of the first window to the end: web workers "
        f"{(last['web'] - first['web']) / first['web']:+.1%}, Celery worker "
        f"{(last['worker'] - first['worker']) / first['worker']:+.1%}."
    )


if __name__ == "__main__":
    main()
