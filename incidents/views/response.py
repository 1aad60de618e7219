"""The response panels of the incident page: its state, status updates,
roles, checkpoints, impact scope and the pulse checklist.

Each panel is a template partial with a stable id, fetched alone by GET from
its own URL and re-rendered by its own POSTs; ``panel_context`` gathers them
all for the page. This module holds the state card; the others have a module
each (response_roles, response_status, ...).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.views.decorators.http import require_GET, require_POST

from incidents.models import Incident, TimelineEvent
from incidents.services import incident_close
from incidents.views import incident_for
from incidents.views.response_base import INVALID, answer_change, render_panel
from incidents.views.response_checklist import checklist_context
from incidents.views.response_checkpoints import checkpoints_context
from incidents.views.response_impact import impact_context
from incidents.views.response_roles import roles_context
from incidents.views.response_status import status_context
from postmortems.http import HtmxHttpRequest

# The review seed's deadline: the postmortem is due 48 hours after resolution
# (postmortems.models.REVIEW_DEADLINE; incidents does not import postmortems).
POSTMORTEM_DUE_AFTER = dt.timedelta(hours=48)
State = Incident.State


def panel_context(
    request: HtmxHttpRequest, incident: Incident, *, milestones: dict | None = None
) -> dict:
    """``milestones``: the incident's, when the page has read them already."""
    checkpoints = checkpoints_context(incident)
    latest = checkpoints["checkpoints"][0].recorded_at if checkpoints["checkpoints"] else None
    return {
        **state_context(incident, milestones=milestones),
        **status_context(incident),
        **roles_context(request, incident, last_checkpoint_at=latest),
        **checkpoints,
        **impact_context(incident),
        **checklist_context(incident),
        "responders": incident.responders.order_by("first_name", "last_name", "username"),
    }


def state_context(incident: Incident, *, error: str = "", milestones: dict | None = None) -> dict:
    """Active, mitigated and resolved follow the milestones; closing is the one
    explicit step, and resolving starts the postmortem clock."""
    order = list(State)
    here = order.index(State(incident.state))
    resolved_at = None
    if incident.state in (State.RESOLVED, State.CLOSED):
        if milestones is None:
            milestones = incident.milestone_times()
        resolved_at = milestones.get(TimelineEvent.Milestone.RESOLVED)
    return {
        "state_steps": [
            (state, "done" if i < here else "current" if i == here else "todo")
            for i, state in enumerate(order)
        ],
        "postmortem_due": resolved_at + POSTMORTEM_DUE_AFTER if resolved_at else None,
        "can_close": incident.state == State.RESOLVED,
        "close_error": error,
    }


def _render(request: HtmxHttpRequest, incident: Incident, *, error: str = "") -> HttpResponse:
    context = {"incident": incident, **state_context(incident, error=error)}
    return render_panel(request, "state", context, status=INVALID if error else 200)


@require_GET
def state_panel(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    return _render(request, incident_for(request, ref))


@require_POST
def close_incident(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    incident = incident_for(request, ref)
    try:
        incident = incident_close(incident=incident, by=request.user)
    except ValidationError as error:
        return _render(request, incident, error=" ".join(error.messages))
    return answer_change(request, incident, _render(request, incident))
