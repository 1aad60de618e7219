"""Postmortems: start one from an incident, read it whole (sections,
factors, whys, actions and the checks' findings), save a section with the
version it was read at, move it through its workflow."""

import datetime as dt
import re
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from postmortems import checks
from postmortems.api.actions import ActionOut, action_out
from postmortems.api.common import (
    ERRORS,
    ErrorOut,
    Text,
    Version,
    error_body,
    incident_for,
    postmortem_for,
    username,
)
from postmortems.models import Postmortem
from postmortems.services import postmortem_open, postmortem_transition, section_save

router = Router(tags=["postmortems"])
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,40}")

Kind = Literal["hotfix", "full", "review", "pulse"]
State = Literal["draft", "in_review", "final", "closed"]


class SectionOut(Schema):
    key: str
    title: str
    body: str
    version: int


class FactorOut(Schema):
    id: int
    layer: str
    description: str
    status: str
    version: int


class WhyOut(Schema):
    id: int
    question: str
    answer: str
    version: int


class FindingOut(Schema):
    check: str
    level: Literal["error", "warning"]
    message: str
    link: str


class PostmortemOut(Schema):
    incident: str
    kind: Kind
    state: State
    version: int
    facilitator: str | None
    log_root: str
    created_at: dt.datetime
    finalized_at: dt.datetime | None
    url: str
    sections: list[SectionOut]
    factors: list[FactorOut]
    whys: list[WhyOut]
    actions: list[ActionOut]
    findings: list[FindingOut]


def postmortem_out(postmortem: Postmortem, request: HttpRequest) -> dict:
    report = checks.run(postmortem)
    actions = postmortem.actions.select_related("owner", "postmortem__incident")
    return {
        "incident": postmortem.incident.ref,
        "kind": postmortem.kind,
        "state": postmortem.state,
        "version": postmortem.version,
        "facilitator": username(postmortem.facilitator),
        "log_root": postmortem.log_root,
        "created_at": postmortem.created_at,
        "finalized_at": postmortem.finalized_at,
        "url": request.build_absolute_uri(postmortem.get_absolute_url()),
        "sections": list(postmortem.sections.values("key", "title", "body", "version")),
        "factors": [
            {
                "id": f.pk,
                **{n: getattr(f, n) for n in ("layer", "description", "status", "version")},
            }
            for f in postmortem.factors.all()
        ],
        "whys": [
            {"id": w.pk, "question": w.question, "answer": w.answer, "version": w.version}
            for w in postmortem.whys.all()
        ],
        "actions": [action_out(a) for a in actions],
        "findings": [vars(finding) for finding in report.findings],
    }


class PostmortemIn(Schema):
    kind: Kind
    log_root: Text(500) = Field("", description="Required for a hotfix postmortem.")


class SectionIn(Schema):
    body: Text(100_000)
    version: Version = Field(description="The section's version when you read it.")


class TransitionIn(Schema):
    state: State
    version: Version = Field(description="The postmortem's version when you read it.")


@router.post("/{ref}", response={201: PostmortemOut, ERRORS: ErrorOut})
def start_postmortem(request: HttpRequest, ref: str, payload: PostmortemIn):
    """Start the incident's postmortem (``ref`` is the incident's); you facilitate it."""
    incident = incident_for(request, ref)
    postmortem = postmortem_open(
        incident=incident,
        kind=payload.kind,
        facilitator=request.auth,
        by=request.auth,
        log_root=payload.log_root,
    )
    return Status(201, postmortem_out(postmortem, request))


@router.get("/{ref}", response={200: PostmortemOut, ERRORS: ErrorOut})
def read_postmortem(request: HttpRequest, ref: str):
    return postmortem_out(postmortem_for(request, ref), request)


@router.put("/{ref}/sections/{key}", response={200: SectionOut, ERRORS: ErrorOut})
def save_section(request: HttpRequest, ref: str, key: str, payload: SectionIn):
    """Save a section's Markdown; 409 with the current text if someone saved
    after the version you send."""
    postmortem = postmortem_for(request, ref)
    if not SLUG.fullmatch(key):
        raise Http404
    section = get_object_or_404(postmortem.sections, key=key)
    saved = section_save(
        section=section, by=request.auth, body=payload.body, version=payload.version
    )
    return {"key": saved.key, "title": saved.title, "body": saved.body, "version": saved.version}


@router.post("/{ref}/state", response={200: PostmortemOut, ERRORS: ErrorOut})
def transition(request: HttpRequest, ref: str, payload: TransitionIn):
    """Draft → In review → Final → Closed (or back one step). Final needs the
    checks to pass: 422 lists the failing ones."""
    postmortem = postmortem_for(request, ref)
    try:
        saved = postmortem_transition(
            postmortem=postmortem, to=payload.state, by=request.auth, version=payload.version
        )
    except ValidationError as error:
        if any(e.code == "checks_failed" for e in error.error_list):
            failing = {"checks": list(error.messages)}
            return Status(422, error_body("The postmortem's checks do not pass yet.", failing))
        raise ValidationError({"state": error.messages}) from error
    return postmortem_out(saved, request)
