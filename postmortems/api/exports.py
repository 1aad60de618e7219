"""Exports: start one for a Final postmortem (202 with its id), then read
its status and the seed's JSON output contract."""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from postmortems.api.common import ERRORS, ErrorOut, Id, error_body, postmortem_for, username
from postmortems.export.services import ExportInProgress, export_request
from postmortems.models import ExportRun, Postmortem

router = Router(tags=["exports"])
# Starting one lives under its postmortem: /postmortems/{ref}/exports
postmortem_router = Router(tags=["exports"])

EXPORTABLE = (Postmortem.State.FINAL, Postmortem.State.CLOSED)
RowStatus = Literal["queued", "running", "complete", "blocked", "not_applicable", "failed"]


class ExportOut(Schema):
    id: int
    incident: str
    status: RowStatus
    progress: str
    redact: bool
    contract: dict
    files: list[dict]
    commit_sha: str
    error: str
    requested_by: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


def export_out(run: ExportRun) -> dict:
    names = ("status", "progress", "redact", "contract", "files", "commit_sha", "error")
    return {
        "id": run.pk,
        "incident": run.postmortem.incident.ref,
        **{name: getattr(run, name) for name in names},
        "requested_by": username(run.requested_by),
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


class ExportIn(Schema):
    redact: bool = False


@postmortem_router.post("/{ref}/exports", response={202: ExportOut, ERRORS: ErrorOut})
def start_export(request: HttpRequest, ref: str, payload: ExportIn):
    """Queue an export of a Final postmortem; poll ``GET /exports/{id}``."""
    postmortem = postmortem_for(request, ref)
    if postmortem.state not in EXPORTABLE:
        raise ValidationError(
            {"state": "Only a Final postmortem is exported: move the review to Final first."}
        )
    if payload.redact and not (
        request.auth.is_superuser or postmortem.facilitator_id == request.auth.pk
    ):
        raise ValidationError({"redact": "Only the facilitator can choose to redact findings."})
    try:
        run = export_request(postmortem=postmortem, by=request.auth, redact=payload.redact)
    except ExportInProgress as busy:
        return Status(
            409, error_body(str(busy), current={"id": busy.run.pk, "status": busy.run.status})
        )
    run = ExportRun.objects.select_related("postmortem__incident", "requested_by").get(pk=run.pk)
    return Status(202, export_out(run))


@router.get("/{export_id}", response={200: ExportOut, ERRORS: ErrorOut})
def read_export(request: HttpRequest, export_id: Id):
    run = get_object_or_404(
        ExportRun.objects.filter(
            postmortem__in=Postmortem.objects.visible_to(request.auth)
        ).select_related("postmortem__incident", "requested_by"),
        pk=export_id,
    )
    return export_out(run)
