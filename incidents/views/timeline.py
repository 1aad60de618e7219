"""The timeline panel of the incident page."""

from incidents.models import Incident
from postmortems.http import HtmxHttpRequest


def panel_context(request: HtmxHttpRequest, incident: Incident) -> dict:
    return {"events": list(incident.events.all())}
