"""The load bench/suite.py drives through locust, one scenario per run.

BENCH_SCENARIO names the scenario; BENCH_PLAN is a JSON file the suite
wrote: the people (session keys) and, per scenario, what they work on.
Each simulated person takes the next slot: their own session and, for
section saves, their own section, so that no save meets another's version.

For bench/soak.py: BENCH_RATE (requests per second per person) paces each
person instead of asking as fast as answers come, and BENCH_LOG names a file
that gets one line per request (time, name, ms, failed, why).
"""

import itertools
import json
import os
import re
from pathlib import Path

from locust import HttpUser, constant, constant_throughput, events, task

PLAN = json.loads(Path(os.environ["BENCH_PLAN"]).read_text())
SCENARIO = os.environ["BENCH_SCENARIO"]
CSRF = "b" * 32  # any 32-character secret: the cookie and the header must agree
VERSION = re.compile(r'name="version" value="(\d+)"')
SLOTS = itertools.count()
RATE = float(os.environ.get("BENCH_RATE") or 0)

if os.environ.get("BENCH_LOG"):
    LOG = open(os.environ["BENCH_LOG"], "a", buffering=1 << 16)  # noqa: SIM115 (closed at exit)

    @events.request.add_listener
    def log(request_type, name, response_time, exception, start_time=None, **kwargs):
        failed = int(exception is not None)
        why = repr(exception).replace(",", ";")[:120] if failed else ""
        LOG.write(f"{start_time:.3f},{name},{response_time:.1f},{failed},{why}\n")

    events.quitting.add_listener(lambda **kwargs: LOG.close())


class Person(HttpUser):
    wait_time = constant_throughput(RATE) if RATE else constant(0)

    def on_start(self) -> None:
        self.slot = next(SLOTS)
        people = PLAN["sessions"]
        self.client.cookies.update(
            {"sessionid": people[self.slot % len(people)], "csrftoken": CSRF}
        )
        self.headers = {"X-CSRFToken": CSRF, "HX-Request": "true"}
        self.work = PLAN.get(SCENARIO, {})  # e.g. "append:1000": the incident of that size
        self.edits = 0
        self.turn = 0

    def post(self, path: str, data: dict, name: str):
        return self.client.post(path, data=data, headers=self.headers, name=name)

    # Floors

    @task
    def scenario(self) -> None:
        getattr(self, SCENARIO.split(":")[0].replace("-", "_"))()

    def floor_write(self) -> None:
        self.client.post("/write/", name="floor write")

    def floor_read(self) -> None:
        self.client.get("/read/", name="floor read")

    # The product

    def append(self) -> None:
        ref = self.work["ref"]
        data = {"text": f"Bench entry {self.slot}-{self.edits}", "kind": "fact", "occurred_at": ""}
        self.edits += 1
        self.post(f"/incidents/{ref}/timeline/add/", data, "append a timeline entry")

    def save(self) -> None:
        ref, section = self.work["sections"][self.slot % len(self.work["sections"])]
        base = f"/postmortems/{ref}/sections/{section}/"
        editor = self.post(f"{base}edit/", {}, "open a section (not measured)")
        version = VERSION.search(editor.text)
        if version is None:
            return
        self.edits += 1
        body = f"Bench text {self.slot}, edit {self.edits}."
        self.post(base, {"body": body, "version": version.group(1)}, "save a section")

    def incident_page(self) -> None:
        self.client.get(f"/incidents/{self.work['ref']}/", name="incident page")

    def postmortem_page(self) -> None:
        self.client.get(f"/postmortems/{self.work['ref']}/", name="postmortem page")

    def editors(self) -> None:
        """A review meeting: each person appends to the timeline, saves their
        section and re-reads the timeline, in turn."""
        step = (self.append, self.save, self.timeline)[self.turn % 3]
        self.turn += 1
        step()

    def timeline(self) -> None:
        self.client.get(
            f"/incidents/{self.work['ref']}/timeline/", headers=self.headers, name="timeline"
        )

    def mixed(self) -> None:
        """A working day: the meeting's edits and reads, the pages around
        them and the managers' dashboard, in the proportions of the tuple."""
        steps = (self.append, self.timeline, self.save, self.append, self.timeline,
                 self.incident_page, self.postmortem_page, self.dashboard)  # fmt: skip
        steps[self.turn % len(steps)]()
        self.turn += 1

    def dashboard(self) -> None:
        self.client.get("/actions/?bucket=overdue", name="actions dashboard")
