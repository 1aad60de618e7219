"""An incident's timeline: read it, add entries (from alerting, scripts, bots)."""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from incidents.models import TimelineEvent
from incidents.services import timeline_add
from postmortems.api.common import ERRORS, ErrorOut, Text, When, incident_for, username

router = Router(tags=["timeline"])

Kind = Literal[
    "fact", "hypothesis", "decision", "action", "status", "communication", "role_change", "note"
]
Milestone = Literal[
    "", "started", "detected", "triaged", "mitigated", "deployed", "verified", "resolved"
]


class EntryOut(Schema):
    id: int
    occurred_at: dt.datetime
    kind: Kind
    milestone: Milestone
    text: str
    actor: str
    source: str
    highlighted: bool
    author: str | None
    version: int


def entry_out(event: TimelineEvent) -> dict:
    fields = {name: getattr(event, name) for name in EntryOut.model_fields if name != "author"}
    return {**fields, "id": event.pk, "author": username(event.author)}


class EntryIn(Schema):
    occurred_at: When | None = Field(None, description="ISO 8601; now if left out.")
    kind: Kind = "fact"
    milestone: Milestone = ""
    text: Text(10_000, 1)
    actor: Text(120) = ""
    source: Text(500) = Field("", description="Where it is recorded: an alert, a log, a URL.")
    move_milestone: bool = Field(
        False, description="Move the milestone here when another entry holds it."
    )


@router.get("/{ref}/timeline", response={200: list[EntryOut], ERRORS: ErrorOut})
def list_entries(request: HttpRequest, ref: str):
    incident = incident_for(request, ref)
    return [entry_out(e) for e in incident.events.select_related("author")]


@router.post("/{ref}/timeline", response={201: EntryOut, ERRORS: ErrorOut})
def add_entry(request: HttpRequest, ref: str, payload: EntryIn):
    incident = incident_for(request, ref)
    if not payload.text.strip():
        raise ValidationError({"text": "Say what happened."})
    event = timeline_add(incident=incident, author=request.auth, **payload.model_dump())
    return Status(201, entry_out(event))
