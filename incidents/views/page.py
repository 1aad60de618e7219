"""The incident page: the header (meter, times, phase strip, status due) and
the panels around the timeline."""

import datetime as dt
from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from incidents.durations import IncidentTimes, format_duration
from incidents.models import Incident, StatusUpdate
from incidents.pulse import pulse_steps
from incidents.views import incident_for, response, timeline
from incidents.views.live import presence_of
from postmortems.http import HtmxHttpRequest

STRIP_WIDTH = 1000  # SVG user units; the strip scales to the page width


@dataclass(frozen=True)
class Mark:
    x: float
    label: str
    kind: str  # "milestone" or "status"


def header_context(
    incident: Incident, now: dt.datetime, *, milestones: dict[str, dt.datetime] | None = None
) -> dict:
    """``milestones`` when the caller has the timeline loaded already."""
    if milestones is None:
        milestones = incident.milestone_times()
    times = IncidentTimes(milestones)
    updates: list[StatusUpdate] = list(incident.status_updates.all())  # newest first
    latest = updates[0] if updates else None
    still_open = incident.state in (Incident.State.ACTIVE, Incident.State.MITIGATED)
    posted = [update.posted_at for update in updates]
    marks = [
        Mark(STRIP_WIDTH * x / 100, label, "milestone")
        for name, moment in milestones.items()
        if (x := times.offset_percent(moment, now)) is not None
        for label in [f"{name.title()} {timezone.localtime(moment):%H:%M}"]
    ] + [
        Mark(STRIP_WIDTH * x / 100, f"Status update {timezone.localtime(moment):%H:%M}", "status")
        for moment in posted
        if (x := times.offset_percent(moment, now)) is not None
    ]
    phases, left = [], 0.0
    for phase in times.phases(now):
        width = STRIP_WIDTH * phase.percent / 100
        phases.append({"phase": phase, "x": left, "width": width})
        left += width
    steps = pulse_steps(list(incident.checklist.all()))
    return {
        "durations": [
            ("Time to detect", format_duration(times.time_to_detect)),
            ("Time to respond", format_duration(times.time_to_respond)),
            ("Time to mitigate", format_duration(times.time_to_mitigate)),
            ("Time to resolve", format_duration(times.time_to_resolve)),
        ],
        "phases": phases,
        "marks": marks,
        "strip_width": STRIP_WIDTH,
        "pulse": {
            "lit": range(steps),
            "unlit": range(5 - steps),
            "steps": steps,
            "complete": steps == 5 and not still_open,
        },
        "latest_status": latest,
        "next_update_due": latest.next_update_due if latest and still_open else None,
        "status_overdue": bool(still_open and latest and latest.next_update_due < now),
        "status_missing": still_open and latest is None,
        "cadence": format_duration(incident.status_cadence),
    }


@require_GET
def incident_detail(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    incident = incident_for(request, ref)
    milestones = incident.milestone_times()
    panel = timeline.panel_context(request, incident)
    panel["timeline_list_html"] = timeline.shared_list(request, panel, milestones=milestones)
    context = {
        "incident": incident,
        "postmortem": getattr(incident, "postmortem", None),
        **header_context(incident, timezone.now(), milestones=milestones),
        **panel,
        **response.panel_context(request, incident, milestones=milestones),
        "present": presence_of(incident.pk),
    }
    return render(request, "incidents/detail.html", context)


@require_GET
def incident_header(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """The header alone, re-fetched after a change elsewhere on the page."""
    incident = incident_for(request, ref)
    context = {"incident": incident, **header_context(incident, timezone.now())}
    return render(request, "incidents/detail.html#header", context)
