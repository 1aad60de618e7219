"""Action items: listed across postmortems with the dashboard's filters,
captured on a postmortem, and updated with the version they were read at."""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from actions.dashboard import ALL, listed, narrowed
from actions.models import ActionItem, Bucket
from actions.services import action_capture, action_update
from postmortems.api.common import (
    ERRORS,
    ErrorOut,
    Id,
    Text,
    Version,
    postmortem_for,
    user_named,
    username,
)

router = Router(tags=["actions"])
# Capture and update live under their postmortem: /postmortems/{ref}/actions/...
postmortem_router = Router(tags=["actions"])

Priority = Literal["P0", "P1", "P2", "P3"]
RowStatus = Literal["open", "in_progress", "done", "wont_do"]
Category = Literal["prevent", "detect", "mitigate", "learn"]


class ActionOut(Schema):
    ref: str
    incident: str
    title: str
    owner: str | None
    owner_team: str
    priority: Priority
    due_date: dt.date | None
    status: RowStatus
    category: Category
    verification_signal: str
    verified_at: dt.datetime | None
    tracking_url: str
    wont_do_reason: str
    factor: int | None
    version: int


def action_out(action: ActionItem) -> dict:
    return {
        **{name: getattr(action, name) for name in ActionOut.model_fields if hasattr(action, name)},
        "incident": action.postmortem.incident.ref,
        "owner": username(action.owner),
        "factor": action.factor_id,
    }


class ActionFilters(Schema):
    overdue: bool = Field(False, description="Only open items past their due date.")
    owner: Text(150) | None = Field(None, description="The owner's username.")
    team: Text(120) | None = None
    priority: list[Priority] = Field([], description="One or more, e.g. ?priority=P0&priority=P1")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


class ActionPage(Schema):
    count: int
    items: list[ActionOut]


@router.get("", response={200: ActionPage, ERRORS: ErrorOut})
def list_actions(request: HttpRequest, filters: Query[ActionFilters]):
    """Every item you may see, or the overdue ones: the dashboard's filters and order."""
    wanted = {"team": filters.team, "priority": filters.priority}
    if filters.owner:
        wanted["owner"] = user_named(filters.owner, "owner")
    actions = narrowed(request.auth, wanted)
    rows = listed(
        actions, bucket=Bucket.OVERDUE if filters.overdue else ALL, group="", now=timezone.now()
    )
    page = rows[filters.offset : filters.offset + filters.limit]
    return {"count": rows.count(), "items": [action_out(a) for a in page]}


class ActionFields(Schema):
    owner: Text(150) | None = Field(None, description="A username; or give owner_team.")
    owner_team: Text(120) = ""
    priority: Priority = "P2"
    due_date: dt.date | None = None
    verification_signal: Text(5000) = ""
    tracking_url: Text(500) = ""
    factor: Id | None = Field(None, description="The id of the contributing factor it answers.")


class ActionIn(ActionFields):
    title: Text(300, 1)
    category: Category


class ActionChange(Schema):
    version: Version
    title: Text(300, 1) | None = None
    category: Category | None = None
    owner: Text(150) | None = None
    owner_team: Text(120) | None = None
    priority: Priority | None = None
    due_date: dt.date | None = None
    status: RowStatus | None = None
    wont_do_reason: Text(5000) | None = None
    verification_signal: Text(5000) | None = None
    tracking_url: Text(500) | None = None
    factor: Id | None = None
    confirm_verified: bool = Field(
        False, description="Required to mark it done: you have seen the verification signal."
    )


def _resolved(postmortem, data: dict) -> dict:
    """The payload's names turned into the model's values, or ValidationError."""
    errors: dict[str, str] = {}
    if data.get("owner"):
        data["owner"] = user_named(data["owner"], "owner")
    if data.get("owner") and (data.get("owner_team") or "").strip():
        errors["owner_team"] = "Choose a person or a team, not both."
    if data.get("tracking_url"):
        try:
            URLValidator()(data["tracking_url"])
        except ValidationError:
            errors["tracking_url"] = "Enter a valid URL."
    if data.get("factor"):
        factor = postmortem.factors.filter(pk=data["factor"]).first()
        if factor is None:
            errors["factor"] = "No contributing factor of this postmortem has that id."
        data["factor"] = factor
    if errors:
        raise ValidationError(errors)
    return data


@postmortem_router.post("/{ref}/actions", response={201: ActionOut, ERRORS: ErrorOut})
def capture_action(request: HttpRequest, ref: str, payload: ActionIn):
    postmortem = postmortem_for(request, ref)
    data = _resolved(postmortem, payload.model_dump())
    action = action_capture(postmortem=postmortem, by=request.auth, **data)
    return Status(201, action_out(action))


@postmortem_router.patch("/{ref}/actions/{number}", response={200: ActionOut, ERRORS: ErrorOut})
def update_action(request: HttpRequest, ref: str, number: Id, payload: ActionChange):
    """Send only what changes, with the version you read; 409 if someone saved since."""
    postmortem = postmortem_for(request, ref)
    action = get_object_or_404(postmortem.actions, number=number)
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    confirm = changes.pop("confirm_verified", False)
    changes = _resolved(postmortem, changes)
    if "owner" in changes and changes["owner"] and "owner_team" not in changes:
        changes["owner_team"] = ""
    if changes.get("owner_team") and "owner" not in changes:
        changes["owner"] = None
    _check_status(action, changes, confirm)
    with transaction.atomic():
        saved = action_update(
            action=action, by=request.auth, version=version, confirm_verified=confirm, **changes
        )
    return action_out(saved)


def _check_status(action: ActionItem, changes: dict, confirm: bool) -> None:
    """The capture form's rules: a reason to drop it, a confirmed signal to close it."""
    status = changes.get("status", action.status)
    reason = changes.get("wont_do_reason", action.wont_do_reason) or ""
    if status == ActionItem.Status.WONT_DO and not reason.strip():
        raise ValidationError({"wont_do_reason": "Say why this action will not be done."})
    if status == ActionItem.Status.DONE:
        signal = changes.get("verification_signal", action.verification_signal) or ""
        if not signal.strip():
            raise ValidationError(
                {"verification_signal": "Say how anyone can see it worked before marking it done."}
            )
        if not (action.verified_at or confirm):
            raise ValidationError(
                {"confirm_verified": "Confirm you have seen the signal to mark it done."}
            )
    for name in ("title", "category", "priority", "status"):
        if name in changes and changes[name] is None:
            raise ValidationError({name: "This field cannot be empty."})
    for name in ("owner_team", "verification_signal", "tracking_url", "wont_do_reason"):
        if name in changes and changes[name] is None:
            changes[name] = ""
