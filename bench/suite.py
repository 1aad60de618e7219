"""The hot paths against their floor, on PostgreSQL and Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postmortems \\
    REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/suite.py

Creates a scratch database beside the one DATABASE_URL names (dropped at the
end), seeds incidents with 10, 1,000 and 5,000 timeline entries (the large
postmortem also has 200 action items and 50 factors), and starts:
- the product as docker-compose serves it: gunicorn with uvicorn workers;
- the floor (bench/floor): a view doing one INSERT and rendering one line,
  and one doing one indexed SELECT, under gunicorn's sync workers (WSGI)
  and under gunicorn with uvicorn workers (ASGI), same workers, same
  database. The floor is the faster of the two.
Then it drives each with locust (headless, a fixed number of people for a
fixed time), the web workers' memory after a warm-up and after 10,000 more
requests of a review meeting, and an export of the large postmortem from queue to
commit with a real Celery worker. Prints Markdown tables (docs/benchmarks.md).
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, manage, recreate, scratch_database, serve, setup_django, stop

HERE = Path(__file__).resolve().parent
SIZES = (10, 1_000, 5_000)
# Measured under both gunicorn worker kinds, to choose the serving layout.
LAYOUT_SCENARIOS = ("incident-page:10", "postmortem-page:10", "append:10")


# Seeding


def seed(people: int) -> dict:
    """The data every scenario works on; returns the plan the locustfile reads."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from actions.models import ActionItem
    from incidents.models import Incident, TimelineEvent
    from incidents.services import incident_declare
    from postmortems.models import ContributingFactor
    from postmortems.services import postmortem_start

    User = get_user_model()
    users = [
        User.objects.create_user(f"bench{n}", f"bench{n}@example.com", first_name=f"Bench {n}")
        for n in range(people)
    ]
    sessions = []
    for user in users:
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)

    def incident(entries: int, factors: int, actions: int):
        start = timezone.now() - dt.timedelta(days=2)
        found = incident_declare(
            title=f"Bench incident with {entries:,} timeline entries",
            severity=Incident.Severity.SEV2,
            impact_category=Incident.ImpactCategory.PERFORMANCE,
            detection_method=Incident.DetectionMethod.MONITORING,
            declared_by=users[0],
            started_at=start,
            detected_at=start + dt.timedelta(minutes=3),
        )
        TimelineEvent.objects.bulk_create(
            TimelineEvent(
                incident=found,
                occurred_at=start + dt.timedelta(seconds=20 * n),
                text=f"Observation {n}: the pool is at {n % 100}%",
                actor="Bench",
                source=f"https://logs.example.com/{n}",
                author=users[0],
            )
            for n in range(max(0, entries - found.events.count()))
        )
        postmortem = postmortem_start(incident=found, kind="full", facilitator=users[0])
        layers = ContributingFactor.Layer.values
        made = ContributingFactor.objects.bulk_create(
            ContributingFactor(
                postmortem=postmortem,
                layer=layers[n % len(layers)],
                description=f"Factor {n}: the config check validated types, not capacity.",
                position=n,
            )
            for n in range(factors)
        )
        ActionItem.objects.bulk_create(
            ActionItem(
                postmortem=postmortem,
                number=n + 1,
                title=f"Action {n + 1}: alert on pool saturation in service {n}",
                owner_team="Platform",
                due_date=timezone.localdate() + dt.timedelta(days=n % 30),
                category=ActionItem.Category.DETECT,
                verification_signal="Done when the staging load test pages within 3 minutes.",
                factor=made[n % len(made)] if made else None,
            )
            for n in range(actions)
        )
        sections = [(found.ref, s.pk) for s in postmortem.sections.order_by("position")]
        return found.ref, sections, postmortem

    plan: dict = {"sessions": sessions}
    large = None
    for size in SIZES:
        big = size == SIZES[-2]  # 1,000 entries: the large case of the pages
        ref, sections, postmortem = incident(size, 50 if big else 3, 200 if big else 3)
        large = postmortem if big else large
        for scenario in ("append", "save", "incident-page", "postmortem-page"):
            plan[f"{scenario}:{size}"] = {"ref": ref, "sections": sections}
    # The meeting: 50 people, each on their own section of three postmortems.
    rooms = [incident(200, 5, 5) for _ in range(3)]
    plan["editors"] = plan["mixed"] = {
        "ref": rooms[0][0],
        "sections": [pair for _, sections, _ in rooms for pair in sections],
    }
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_floor (id serial PRIMARY KEY, note text)")
        cursor.execute(
            "INSERT INTO bench_floor (note) SELECT 'floor' FROM generate_series(1, 1000)"
        )
        cursor.execute("VACUUM ANALYZE")
    plan["large_postmortem"] = large.pk
    return plan


def prepare(suffix: str, *, people: int, plan_file: Path | None = None):
    """A seeded scratch database beside the one DATABASE_URL names, with
    Django set up on it: (admin URL, database URL, Redis URL, plan, plan file).
    With an existing ``plan_file``, the database a last run kept is reused."""
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        raise SystemExit("REDIS_URL must be set: the product runs with Redis, as in production.")
    admin_url, database_url = scratch_database(os.environ.get("DATABASE_URL", ""), suffix)
    reuse = plan_file is not None and plan_file.exists()
    if not reuse:
        recreate(admin_url, database_url)
        manage(database_url, "migrate")
    manage(database_url, "collectstatic", "--noinput")
    setup_django(database_url, REDIS_URL=redis_url)
    from django.db import connection

    if reuse:
        plan = json.loads(plan_file.read_text())
    else:
        plan = seed(people)
        plan_file = plan_file or Path(tempfile.mkdtemp(prefix="pm-bench-plan-")) / "plan.json"
        plan_file.write_text(json.dumps(plan))
    connection.close()
    return admin_url, database_url, redis_url, plan, plan_file


# The product under each gunicorn worker kind.
PRODUCT = {
    "gunicorn-asgi": "postmortems.asgi:application",
    "gunicorn-wsgi": "postmortems.wsgi:application",
}


def serve_product(database_url: str, redis_url: str, *, workers: int, server="gunicorn-asgi"):
    """The product as docker-compose serves it (or under WSGI): (process, base URL)."""
    return serve(PRODUCT[server], database_url, server=server, workers=workers, redis_url=redis_url)


def celery_worker(database_url: str, redis_url: str, env: dict | None = None) -> subprocess.Popen:
    """A real Celery worker on that database and Redis (its banner silenced)."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "postmortems", "worker", "--pool", "solo",
         "--loglevel", "WARNING"],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": database_url, "REDIS_URL": redis_url} | (env or {}),
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


# Driving


def drive(base: str, scenario: str, plan_file: Path, *, people: int, seconds: int) -> dict:
    """One locust run; its aggregate figures (ms, requests/s, failures)."""
    prefix = Path(tempfile.mkdtemp(prefix="pm-locust-")) / "run"
    subprocess.run(
        [sys.executable, "-m", "locust", "-f", str(HERE / "locustfile.py"), "--headless",
         "-u", str(people), "-r", str(people), "-t", f"{seconds}s", "--host", base,
         "--csv", str(prefix), "--only-summary", "--loglevel", "ERROR"],
        env=os.environ | {"BENCH_SCENARIO": scenario, "BENCH_PLAN": str(plan_file)},
        check=False,  # locust exits 1 when any request failed: the failures are counted
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    with open(f"{prefix}_stats.csv") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    measured = [
        r for name, r in rows.items() if "not measured" not in name and name != "Aggregated"
    ]
    total = sum(int(r["Request Count"]) for r in measured)

    # The requests that are the scenario's own (the one row, or for the
    # editors the mix): weighted by count.
    def weighted(column: str) -> float:
        return sum(float(r[column]) * int(r["Request Count"]) for r in measured) / max(total, 1)

    return {
        "p50": weighted("50%"),
        "p95": max(float(r["95%"]) for r in measured) if measured else 0.0,
        "rps": sum(float(r["Requests/s"]) for r in measured),
        "requests": total,
        "failures": sum(int(r["Failure Count"]) for r in measured),
    }


def worker_rss(master: subprocess.Popen) -> int:
    """Resident memory of gunicorn's workers (kB), the children of its master."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    total = 0
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total


def memory_over(base: str, master: subprocess.Popen, plan_file: Path, *, requests: int):
    """The web workers' memory (kB) after a warm-up of the meeting's requests
    (append, save, re-read) and again after at least ``requests`` more:
    (before, after, requests served). bench/soak.py watches the mixed use."""
    drive(base, "editors", plan_file, people=10, seconds=30)  # caches fill
    before, served = worker_rss(master), 0
    while served < requests:
        served += drive(base, "editors", plan_file, people=10, seconds=30)["requests"]
    return before, worker_rss(master), served


def export_time(database_url: str, redis_url: str, postmortem_id: int) -> float:
    """Seconds from asking for the export to its commit, through a real worker."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from postmortems.export.services import export_request
    from postmortems.models import ExportRun, Postmortem

    repo = Path(tempfile.mkdtemp(prefix="pm-bench-repo-"))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    env = {"EXPORT_REPO_ROOT": str(repo)}
    os.environ.update(env)
    from django.conf import settings

    settings.EXPORT_REPO_ROOT = repo
    worker = celery_worker(database_url, redis_url, env)
    try:
        time.sleep(4)  # the worker connects
        Postmortem.objects.filter(pk=postmortem_id).update(
            state="final", finalized_at=timezone.now()
        )
        postmortem = Postmortem.objects.get(pk=postmortem_id)
        started = time.perf_counter()
        run = export_request(postmortem=postmortem, by=get_user_model().objects.first())
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            run = ExportRun.objects.get(pk=run.pk)
            if not run.active:
                break
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        if run.status != "complete":
            raise SystemExit(f"The export ended {run.status}: {run.contract}")
        return elapsed
    finally:
        stop(worker)


# Reporting


def ratio(value: float, floor: float) -> str:
    return f"{value / floor:.1f}x" if floor else "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10, help="concurrent people per scenario")
    parser.add_argument("--seconds", type=int, default=15, help="length of each scenario")
    parser.add_argument("--workers", type=int, default=2, help="web workers (as docker-compose)")
    parser.add_argument("--editors-seconds", type=int, default=60, help="the 50-editor run")
    parser.add_argument(
        "--memory-requests", type=int, default=10_000, help="requests between the readings"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    admin_url, database_url, redis_url, plan, plan_file = prepare("bench_suite", people=60)
    from django.db import connection

    run = dict(people=args.people, seconds=args.seconds)
    results: dict[str, dict] = {}
    try:
        floors = {}
        for server in ("gunicorn-wsgi", "gunicorn-asgi"):
            app = "wsgi:application" if server == "gunicorn-wsgi" else "asgi:application"
            process, base = serve(
                app,
                database_url,
                server=server,
                workers=args.workers,
                cwd=HERE / "floor",
                env={"DJANGO_SETTINGS_MODULE": "settings"},
            )
            try:
                for kind in ("floor-write", "floor-read"):
                    floors[(kind, server)] = drive(base, kind, plan_file, **run)
            finally:
                stop(process)
        for kind in ("floor-write", "floor-read"):
            best = min(("gunicorn-wsgi", "gunicorn-asgi"), key=lambda s: floors[(kind, s)]["p50"])
            results[kind] = floors[(kind, best)] | {"server": best}

        product, base = serve_product(
            database_url, redis_url, workers=args.workers, server="gunicorn-asgi"
        )
        try:
            for size in SIZES:
                for scenario in ("append", "save", "incident-page", "postmortem-page"):
                    results[f"{scenario}:{size}"] = drive(
                        base, f"{scenario}:{size}", plan_file, **run
                    )
            results["editors"] = drive(
                base, "editors", plan_file, people=50, seconds=args.editors_seconds
            )
            memory = memory_over(base, product, plan_file, requests=args.memory_requests)
        finally:
            stop(product)
        # The serving layout: the same pages from gunicorn's sync workers (WSGI).
        product, base = serve_product(
            database_url, redis_url, workers=args.workers, server="gunicorn-wsgi"
        )
        try:
            for scenario in LAYOUT_SCENARIOS:
                results[f"wsgi {scenario}"] = drive(base, scenario, plan_file, **run)
        finally:
            stop(product)
        export_seconds = export_time(database_url, redis_url, plan["large_postmortem"])
    finally:
        connection.close()
        if not args.keep:
            recreate(admin_url, database_url, drop_only=True)
    report(results, floors, args, memory, export_seconds)


def report(results, floors, args, memory, export_seconds) -> None:
    write, read = results["floor-write"], results["floor-read"]
    print(
        f"\nPostgreSQL + Redis, {args.workers} gunicorn workers; {args.people} people for "
        f"{args.seconds} s per row; ms\n"
    )
    print("| floor | WSGI p50 / p95 | ASGI p50 / p95 | WSGI req/s | ASGI req/s |")
    print("|---|---:|---:|---:|---:|")
    for kind in ("floor-write", "floor-read"):
        w, a = floors[(kind, "gunicorn-wsgi")], floors[(kind, "gunicorn-asgi")]
        print(
            f"| {kind.split('-')[1]} | {w['p50']:.0f} / {w['p95']:.0f} | {a['p50']:.0f} / "
            f"{a['p95']:.0f} | {w['rps']:.0f} | {a['rps']:.0f} |"
        )
    print("\n| path | entries | p50 / p95 | vs floor (p50) | req/s | failures |")
    print("|---|---:|---:|---:|---:|---:|")
    labels = {
        "append": ("append a timeline entry", write),
        "save": ("save a section", write),
        "incident-page": ("incident page", read),
        "postmortem-page": ("postmortem page", read),
    }
    for scenario, (label, floor) in labels.items():
        for size in SIZES:
            r = results[f"{scenario}:{size}"]
            print(
                f"| {label} | {size:,} | {r['p50']:.0f} / {r['p95']:.0f} | "
                f"{ratio(r['p50'], floor['p50'])} | {r['rps']:.0f} | {r['failures']} |"
            )
    print("\n| path (10 entries) | ASGI p50 / p95 | ASGI req/s | WSGI p50 / p95 | WSGI req/s |")
    print("|---|---:|---:|---:|---:|")
    for scenario in LAYOUT_SCENARIOS:
        a, w = results[scenario], results[f"wsgi {scenario}"]
        print(
            f"| {scenario.split(':')[0]} | {a['p50']:.0f} / {a['p95']:.0f} | {a['rps']:.0f} | "
            f"{w['p50']:.0f} / {w['p95']:.0f} | {w['rps']:.0f} |"
        )
    e = results["editors"]
    before, after, served = memory
    growth = (after - before) / before * 100
    print(
        f"\n50 concurrent editors for {args.editors_seconds} s: {e['requests']:,} requests, "
        f"{e['rps']:.0f} req/s, "
        f"{e['failures']} failures, p50 {e['p50']:.0f} ms, p95 {e['p95']:.0f} ms "
        f"(p95/p50 {e['p95'] / max(e['p50'], 1):.1f}x)."
    )
    print(
        f"Web workers' memory (after a warm-up): {before / 1024:.0f} MB, then "
        f"{after / 1024:.0f} MB after {served:,} more editors' requests ({growth:+.1f}%)."
    )
    print(f"Export of the large postmortem, queue to commit: {export_seconds:.2f} s.")


if __name__ == "__main__":
    main()
