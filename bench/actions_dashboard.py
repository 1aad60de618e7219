"""How fast the actions dashboard answers as the action items grow.

On PostgreSQL only: creates a scratch database next to the one DATABASE_URL
names (`<name>_bench_actions`, dropped at the end), and for each size seeds
that many action items (one postmortem per 20 items, 200 people; the mix of
tests/actions/bulk.py: 8% open, 3% overdue), runs VACUUM ANALYZE, starts the
app under uvicorn with production settings (one process, as `make run`), and
times N sequential requests of each main view as a signed-in person who is
not a superuser, so the visibility rule applies to every query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postmortems \\
        .venv/bin/python bench/actions_dashboard.py --items 2000 20000 200000 --requests 50

Prints a Markdown table (docs/benchmarks.md keeps the figures).
"""

import argparse
import os
import time

import httpx
from common import manage, pct, recreate, scratch_database, serve, setup_django, stop

ITEMS_PER_POSTMORTEM = 20

VIEWS = {
    "Open actions (the default)": "/actions/",
    "Overdue": "/actions/?bucket=overdue",
    "Overdue, one team, P0 + P1": "/actions/?bucket=overdue&team=Team+3&priority=P0&priority=P1",
    "Overdue, grouped by owner": "/actions/?bucket=overdue&group=owner",
    "Overdue, htmx fragment": "/actions/?bucket=overdue",
    "My actions": "/actions/?mine=on",
    "All, also closed": "/actions/?bucket=all",
    "Navigation counts": "/actions/nav-counts/",
    "CSV of the overdue": "/actions/export.csv?bucket=overdue",
}


def seed(items: int) -> str:
    """Empty the workspace, seed it, and return a session key of a plain user."""
    from django.db import connection
    from django.test import Client

    from tests.actions.bulk import seed as bulk_seed

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE incidents_incident, auth_user, django_session CASCADE")
    people = bulk_seed(postmortems=max(1, items // ITEMS_PER_POSTMORTEM), items=items)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    client = Client()
    client.force_login(people[1])
    return client.cookies["sessionid"].value


def measure(base: str, session: str, requests: int) -> dict[str, list[float]]:
    times = {}
    with httpx.Client(base_url=base, cookies={"sessionid": session}, timeout=60) as client:
        for name, path in VIEWS.items():
            headers = {"HX-Request": "true"} if "htmx" in name else {}
            samples = []
            for attempt in range(requests + 3):  # three to warm up
                start = time.perf_counter()
                response = client.get(path, headers=headers)
                elapsed = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")
                if attempt >= 3:
                    samples.append(elapsed)
            times[name] = samples
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[2_000, 20_000, 200_000])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    admin_url, database_url = scratch_database(os.environ.get("DATABASE_URL", ""), "bench_actions")
    recreate(admin_url, database_url)
    manage(database_url, "migrate")
    manage(database_url, "collectstatic", "--noinput")
    setup_django(database_url)
    from django.db import connection
    from django.utils import timezone

    from actions.models import ActionItem

    results, overdue = {}, {}
    try:
        for items in args.items:
            session = seed(items)
            overdue[items] = ActionItem.objects.overdue(timezone.localdate()).count()
            connection.close()
            process, base = serve("postmortems.asgi:application", database_url)
            try:
                results[items] = measure(base, session, args.requests)
            finally:
                stop(process)
    finally:
        connection.close()
        if not args.keep:
            recreate(admin_url, database_url, drop_only=True)

    print(
        f"\nPostgreSQL, 1 uvicorn process; {args.requests} sequential requests per view; "
        "ms, p50 / p95\n"
    )
    sizes = list(results)
    print("| view | " + " | ".join(f"{n:,} items" for n in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    print("| (overdue items) | " + " | ".join(f"{overdue[n]:,}" for n in sizes) + " |")
    for name in VIEWS:
        cells = [
            f"{pct(results[n][name], 0.5):.0f} / {pct(results[n][name], 0.95):.0f}" for n in sizes
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
