"""The response panels of the incident page: roles, status updates,
checkpoints, impact scope and the pulse checklist."""

from incidents.models import Incident
from postmortems.http import HtmxHttpRequest


def panel_context(request: HtmxHttpRequest, incident: Incident) -> dict:
    return {
        "roles": incident.roles.filter(ended_at__isnull=True).select_related("user"),
        "responders": incident.responders.order_by("first_name", "last_name", "username"),
    }
