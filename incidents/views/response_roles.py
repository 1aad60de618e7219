"""The roles panel: who holds each response role, handing one over, solo
mode, and each role's history."""

import datetime as dt
from dataclasses import dataclass

from django.http import HttpResponse
from django.views.decorators.http import require_GET, require_POST

from incidents.forms import RoleAssignForm, SoloModeForm
from incidents.models import Incident, RoleAssignment
from incidents.services import role_assign, solo_mode_declare
from incidents.views import incident_for
from incidents.views.response_base import INVALID, answer_change, render_panel
from postmortems.http import HtmxHttpRequest

# The role form and the solo-mode button share one person select.
PREFIX = "role"
Role = RoleAssignment.Role


@dataclass(frozen=True)
class Seat:
    role: Role
    holder: RoleAssignment | None
    history: list[RoleAssignment]  # oldest first, the holder last


def _seats(assignments: list[RoleAssignment]) -> list[Seat]:
    seats = []
    for role in Role:
        history = sorted((a for a in assignments if a.role == role), key=lambda a: a.started_at)
        holder = next((a for a in history if a.ended_at is None), None)
        seats.append(Seat(role, holder, history))
    return seats


def handover_needs_checkpoint(seat: Seat, last_checkpoint_at: dt.datetime | None) -> bool:
    """A new commander took over from someone, and no checkpoint since
    (incident-response seed: checkpoint at every commander change)."""
    if seat.holder is None or len(seat.history) < 2:
        return False
    return last_checkpoint_at is None or last_checkpoint_at < seat.holder.started_at


def _blank_form(request: HtmxHttpRequest, incident, seats: list[Seat]) -> RoleAssignForm:
    vacant = next((seat.role for seat in seats if seat.holder is None), Role.COMMANDER)
    initial = {"role": vacant, "user": request.user.pk}
    return RoleAssignForm(prefix=PREFIX, incident=incident, initial=initial)


def roles_context(
    request: HtmxHttpRequest,
    incident: Incident,
    *,
    last_checkpoint_at: dt.datetime | None,
    form: RoleAssignForm | None = None,
) -> dict:
    seats = _seats(list(incident.roles.select_related("user", "assigned_by")))
    holders = {seat.holder.user_id for seat in seats if seat.holder}
    commander = seats[0]
    return {
        "role_seats": seats,
        "role_form": form or _blank_form(request, incident, seats),
        "solo_holder": seats[0].holder.user if incident.solo_mode and len(holders) == 1 else None,
        "handover_prompt": handover_needs_checkpoint(commander, last_checkpoint_at),
    }


def _render(
    request: HtmxHttpRequest, incident: Incident, form: RoleAssignForm | None = None
) -> HttpResponse:
    last = incident.checkpoints.values_list("recorded_at", flat=True).first()  # newest first
    context = roles_context(request, incident, last_checkpoint_at=last, form=form)
    status = INVALID if form is not None and form.errors else 200
    return render_panel(request, "roles", {"incident": incident, **context}, status=status)


@require_GET
def roles_panel(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    return _render(request, incident_for(request, ref))


@require_POST
def role_assign_view(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    incident = incident_for(request, ref)
    form = RoleAssignForm(request.POST, prefix=PREFIX, incident=incident)
    if not form.is_valid():
        return _render(request, incident, form)
    data = form.cleaned_data
    role_assign(incident=incident, role=data["role"], user=data["user"], by=request.user)
    return answer_change(request, incident, _render(request, incident))


@require_POST
def solo_mode_view(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    incident = incident_for(request, ref)
    form = SoloModeForm(request.POST, prefix=PREFIX, incident=incident)
    if not form.is_valid():
        # The same person select carries the error, with the role kept as chosen.
        return _render(
            request, incident, RoleAssignForm(request.POST, prefix=PREFIX, incident=incident)
        )
    solo_mode_declare(incident=incident, user=form.cleaned_data["user"], by=request.user)
    return answer_change(request, incident, _render(request, incident))
