"""Incidents: declare, list (state, severity, since), read, change state."""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from incidents.models import Incident, TimelineEvent
from incidents.refs import validate_change_id
from incidents.services import incident_close, incident_declare, timeline_add
from postmortems.api.common import ERRORS, ErrorOut, Text, When, incident_for, username

router = Router(tags=["incidents"])

Severity = Literal["SEV-1", "SEV-2", "SEV-3", "SEV-4"]
State = Literal["active", "mitigated", "resolved", "closed"]
ImpactCategory = Literal["outage", "data", "security", "performance", "partial", "other"]
DetectionMethod = Literal["monitoring", "customer", "internal", "automated", "other"]


class IncidentOut(Schema):
    ref: str
    title: str
    severity: Severity
    state: State
    impact_category: ImpactCategory
    detection_method: DetectionMethod
    summary: str
    is_hotfix: bool
    change_id: str
    restricted: bool
    declared_by: str | None
    created_at: dt.datetime
    milestones: dict[str, dt.datetime]
    url: str


def incident_out(incident: Incident, request: HttpRequest) -> dict:
    return {
        **{
            name: getattr(incident, name)
            for name in IncidentOut.model_fields
            if hasattr(incident, name)
        },
        "declared_by": username(incident.declared_by),
        "milestones": (
            {e.milestone: e.occurred_at for e in incident.milestone_events}
            if hasattr(incident, "milestone_events")  # prefetched by the list
            else incident.milestone_times()
        ),
        "url": request.build_absolute_uri(incident.get_absolute_url()),
    }


class IncidentIn(Schema):
    title: Text(200, 1)
    severity: Severity
    impact_category: ImpactCategory
    detection_method: DetectionMethod
    summary: Text(5000) = ""
    started_at: When | None = None
    detected_at: When | None = None
    is_hotfix: bool = False
    change_id: Text(80) = ""
    restricted: bool = False


class IncidentFilters(Schema):
    state: State | None = None
    severity: Severity | None = None
    since: When | None = Field(None, description="Declared at or after (ISO 8601).")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class IncidentPage(Schema):
    count: int
    items: list[IncidentOut]


class StateIn(Schema):
    state: Literal["mitigated", "resolved", "closed"]
    at: When | None = Field(None, description="When it happened; now if left out.")


@router.get("", response={200: IncidentPage, ERRORS: ErrorOut})
def list_incidents(request: HttpRequest, filters: Query[IncidentFilters]):
    incidents = Incident.objects.visible_to(request.auth).select_related("declared_by")
    if filters.state:
        incidents = incidents.filter(state=filters.state)
    if filters.severity:
        incidents = incidents.filter(severity=filters.severity)
    if filters.since:
        incidents = incidents.filter(created_at__gte=filters.since)
    page = incidents.prefetch_related(
        Prefetch("events", TimelineEvent.objects.milestones(), to_attr="milestone_events")
    )[filters.offset : filters.offset + filters.limit]
    return {"count": incidents.count(), "items": [incident_out(i, request) for i in page]}


@router.post("", response={201: IncidentOut, ERRORS: ErrorOut})
def declare_incident(request: HttpRequest, payload: IncidentIn):
    data = payload.model_dump()
    if data["change_id"]:
        if not data["is_hotfix"]:
            raise ValidationError({"change_id": "Only a hotfix incident carries a change id."})
        validate_change_id(data["change_id"])
        if Incident.objects.filter(change_id=data["change_id"]).exists():
            raise ValidationError({"change_id": "Another incident already has this change id."})
    if data["started_at"] and data["detected_at"] and data["started_at"] > data["detected_at"]:
        raise ValidationError({"started_at": "Impact cannot start after it was detected."})
    with transaction.atomic():  # the incident with its milestones and checklist, or nothing
        incident = incident_declare(declared_by=request.auth, **data)
    return Status(201, incident_out(incident, request))


@router.get("/{ref}", response={200: IncidentOut, ERRORS: ErrorOut})
def read_incident(request: HttpRequest, ref: str):
    return incident_out(incident_for(request, ref), request)


MILESTONE_OF = {
    "mitigated": TimelineEvent.Milestone.MITIGATED,
    "resolved": TimelineEvent.Milestone.RESOLVED,
}


@router.post("/{ref}/state", response={200: IncidentOut, ERRORS: ErrorOut})
def change_state(request: HttpRequest, ref: str, payload: StateIn):
    """The state follows the timeline's milestones: mitigated and resolved
    add that milestone (at ``at``); closed closes a resolved incident."""
    incident = incident_for(request, ref)
    with transaction.atomic():
        if payload.state == "closed":
            incident = incident_close(incident=incident, by=request.auth)
        elif incident.state == Incident.State.CLOSED:
            raise ValidationError({"state": "A closed incident stays closed."})
        elif payload.state not in incident.milestone_times():
            label = TimelineEvent.Milestone(MILESTONE_OF[payload.state]).label
            timeline_add(
                incident=incident,
                author=request.auth,
                occurred_at=payload.at,
                kind=TimelineEvent.Kind.STATUS,
                milestone=MILESTONE_OF[payload.state],
                text=label,
                actor=request.auth.get_full_name() or request.auth.get_username(),
            )
    incident.refresh_from_db()
    return incident_out(incident, request)
