"""Incident screens, one module per screen or panel.

Every view finds its incident through ``incident_for``: an incident the user
may not see is a 404, so a restricted incident's existence never leaks, and a
fragment request cannot skip the check that its page makes.
"""

from django.shortcuts import get_object_or_404

from incidents.models import Incident
from postmortems.http import HtmxHttpRequest


def incident_for(request: HtmxHttpRequest, ref: str) -> Incident:
    return get_object_or_404(Incident.objects.visible_to(request.user), ref=ref)
