"""Profile one scenario of bench/suite.py under load, with py-spy.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postmortems \\
    REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/hotspots.py incident-page:1000 [--seconds 20] [--reuse]

Seeds the suite's data in a scratch database (`<name>_bench_profile`, kept
for --reuse), serves the product as the suite does (gunicorn, uvicorn
workers), drives the scenario with locust while py-spy samples the web
workers, and prints the functions of this project and of Django that the
workers spent the most time in (inclusive), as a share of the samples.
py-spy is not a dependency: `.venv/bin/pip install py-spy` first.
"""

import argparse
import collections
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from common import ROOT, stop
from suite import PRODUCT, drive, prepare, serve_product

OURS = ("postmortems/", "incidents/", "actions/", "django/", "templates/")


def hot_functions(stacks: Path, top: int) -> list[tuple[float, str]]:
    """(share of samples, function) for the functions most often on the stack."""
    inclusive: collections.Counter = collections.Counter()
    total = 0
    for line in stacks.read_text().splitlines():
        frames, _, count = line.rpartition(" ")
        total += int(count)
        # Counted once per sample even when recursive.
        for frame in {f for f in frames.split(";") if any(o in f for o in OURS)}:
            inclusive[frame] += int(count)
    return [(n / max(total, 1), frame) for frame, n in inclusive.most_common(top)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", help="a scenario of bench/locustfile.py, e.g. append:1000")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--people", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server", default="gunicorn-asgi", choices=PRODUCT)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--reuse", action="store_true", help="the database a last run kept")
    args = parser.parse_args()
    path = os.pathsep.join([str(ROOT / ".venv" / "bin"), os.environ["PATH"]])
    if not shutil.which("py-spy", path=path):
        raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy")
    plan_file = Path(tempfile.gettempdir()) / "pm-bench-profile-plan.json"
    if not args.reuse:
        plan_file.unlink(missing_ok=True)
    _, database_url, redis_url, _, _ = prepare("bench_profile", people=60, plan_file=plan_file)
    web, base = serve_product(database_url, redis_url, workers=args.workers, server=args.server)
    stacks = Path(tempfile.mkdtemp(prefix="pm-profile-")) / "stacks.txt"
    try:
        drive(base, args.scenario, plan_file, people=args.people, seconds=3)  # warm up
        spy = subprocess.Popen(
            ["py-spy", "record", "--pid", str(web.pid), "--subprocesses", "--format", "raw",
             "--duration", str(args.seconds), "--output", str(stacks), "--nonblocking"],
            env=os.environ | {"PATH": path},
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        figures = drive(base, args.scenario, plan_file, people=args.people, seconds=args.seconds)
        spy.wait(60)
    finally:
        stop(web)
    print(
        f"{args.scenario} under {args.server}, {args.workers} workers, {args.people} people: "
        f"p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, {figures['rps']:.0f} req/s, "
        f"{figures['failures']} failures. Stacks: {stacks}\n"
    )
    for share, frame in hot_functions(stacks, args.top):
        print(f"{share:6.1%}  {frame}")


if __name__ == "__main__":
    main()
