"""How fast a change reaches the other readers of an incident.

Starts the app under its ASGI server on 127.0.0.1 (one uvicorn process with
the in-process bus, or with --processes 2 and REDIS_URL, two processes
sharing Redis), opens N Server-Sent Events listeners on one incident, and has
one writer add timeline entries through the same htmx endpoint a scribe uses.
For every write it measures, from the moment the writer's response arrived:
- event: until each listener received the change event;
- fragment: until each listener had re-fetched the timeline fragment;
and the writer's own round trip with and without listeners.

    .venv/bin/python bench/live_propagation.py --listeners 0 10 50 --writes 40

Prints a Markdown table (docs/benchmarks.md keeps the figures). The database
is a fresh SQLite file unless DATABASE_URL is set.
"""

import argparse
import asyncio
import logging
import os
import re
import tempfile
import time

import httpx
from common import manage, pct, serve, setup_django, stop


def prepare(database_url: str, listeners: int) -> tuple[str, list[str]]:
    """Migrate, create an incident and one session per person; return the
    incident's ref and the session keys (writer first)."""
    for command in (["migrate"], ["collectstatic", "--noinput"]):  # no-ops after the first call
        manage(database_url, *command)
    from django.contrib.auth import get_user_model
    from django.test import Client

    from incidents.services import incident_declare

    User = get_user_model()
    people = []
    for n in range(listeners + 1):
        user, _ = User.objects.get_or_create(username=f"bench{n}", defaults={"first_name": f"B{n}"})
        people.append(user)
    incident = incident_declare(
        title="Benchmark incident",
        severity="SEV-2",
        impact_category="performance",
        detection_method="monitoring",
        declared_by=people[0],
    )
    sessions = []
    for user in people:
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)
    return incident.ref, sessions


class Listener:
    """One open page: an SSE stream, and a re-fetch of the fragment per event."""

    def __init__(self, base: str, ref: str, session: str):
        self.base, self.ref = base, ref
        self.cookies = {"sessionid": session}
        self.events: dict[str, float] = {}  # text written -> event received
        self.fragments: dict[str, float] = {}  # text written -> fragment has it
        self.ready = asyncio.Event()

    async def run(self, client: httpx.AsyncClient) -> None:
        url = f"{self.base}/incidents/{self.ref}/live/"
        async with client.stream("GET", url, cookies=self.cookies, timeout=None) as stream:
            self.ready.set()
            event = None
            async for line in stream.aiter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line == "" and event == "timeline":
                    received = time.perf_counter()
                    fragment = await client.get(
                        f"{self.base}/incidents/{self.ref}/timeline/", cookies=self.cookies
                    )
                    loaded = time.perf_counter()
                    for text in re.findall(r"bench-write-\d+", fragment.text):
                        self.events.setdefault(text, received)
                        self.fragments.setdefault(text, loaded)
                    event = None


async def measure(base: str, listen_base: str, ref: str, sessions: list[str], writes: int) -> dict:
    limits = httpx.Limits(max_connections=len(sessions) * 2 + 10)
    async with httpx.AsyncClient(limits=limits, headers={"HX-Request": "true"}) as client:
        listeners = [Listener(listen_base, ref, s) for s in sessions[1:]]
        tasks = [asyncio.create_task(lst.run(client)) for lst in listeners]
        await asyncio.gather(*(lst.ready.wait() for lst in listeners))
        await asyncio.sleep(0.5)
        writer = {"sessionid": sessions[0]}
        page = await client.get(f"{base}/incidents/{ref}/", cookies=writer)
        csrf = page.cookies.get("csrftoken") or client.cookies.get("csrftoken")
        round_trips, done = [], {}
        for n in range(writes):
            text = f"bench-write-{n:04d}"
            started = time.perf_counter()
            response = await client.post(
                f"{base}/incidents/{ref}/timeline/add/",
                data={"text": text, "kind": "fact", "occurred_at": ""},
                cookies=writer | {"csrftoken": csrf},
                headers={"X-CSRFToken": csrf, "Referer": f"{base}/"},
            )
            answered = time.perf_counter()
            assert response.status_code == 200, response.status_code
            round_trips.append(answered - started)
            done[text] = answered
            await asyncio.sleep(0.25)  # a scribe's pace, and time to settle
        await asyncio.sleep(1.0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    event_lag = [lst.events[t] - done[t] for lst in listeners for t in done if t in lst.events]
    fragment_lag = [
        lst.fragments[t] - done[t] for lst in listeners for t in done if t in lst.fragments
    ]
    missed = sum(1 for lst in listeners for t in done if t not in lst.fragments)
    return {
        "round_trip": round_trips,
        "event": event_lag,
        "fragment": fragment_lag,
        "missed": missed,
    }


def ms(values: list[float], q: float) -> str:
    return f"{1000 * pct(values, q):.0f}" if values else "—"


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listeners", type=int, nargs="+", default=[0, 10, 50])
    parser.add_argument("--writes", type=int, default=40)
    parser.add_argument("--processes", type=int, default=1, choices=[1, 2])
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL", "") if args.processes == 2 else ""
    if args.processes == 2 and not redis_url:
        raise SystemExit("--processes 2 needs REDIS_URL: the processes share the bus through it")
    database = os.environ.get("DATABASE_URL") or (
        f"sqlite:///{tempfile.mkdtemp(prefix='pm-bench-')}/bench.sqlite3"
    )
    setup_django(database)
    servers = []
    rows = []
    try:
        for count in args.listeners:
            ref, sessions = prepare(database, count)
            if not servers:
                servers = [
                    serve("postmortems.asgi:application", database, redis_url=redis_url)
                    for _ in range(args.processes)
                ]
            # The writer on the first process, the listeners on the last: with
            # two processes every event crosses Redis.
            result = asyncio.run(measure(servers[0][1], servers[-1][1], ref, sessions, args.writes))
            rows.append((count, result))
    finally:
        stop(*(process for process, _ in servers))
    layout = (
        "1 uvicorn process, in-process bus"
        if args.processes == 1
        else "2 uvicorn processes, Redis bus"
    )
    print(f"\n{layout}; {args.writes} writes per row; times in ms from the writer's response\n")
    print(
        "| listeners | write round trip p50 / p95 | event p50 / p95 | fragment p50 / p95 | missed |"
    )
    print("|---:|---:|---:|---:|---:|")
    for count, r in rows:
        print(
            f"| {count} | {ms(r['round_trip'], 0.5)} / {ms(r['round_trip'], 0.95)} "
            f"| {ms(r['event'], 0.5)} / {ms(r['event'], 0.95)} "
            f"| {ms(r['fragment'], 0.5)} / {ms(r['fragment'], 0.95)} | {r['missed']} |"
        )


if __name__ == "__main__":
    main()
