"""Postmortem screens, one module per screen or panel.

Every view finds its postmortem through ``postmortem_for`` (by the incident's
ref, within what the user may see) and every row within that postmortem, so
a restricted incident's review is a 404 for outsiders on every URL, and a
fragment request cannot skip the check its page makes.
"""

from django.shortcuts import get_object_or_404

from postmortems.http import HtmxHttpRequest
from postmortems.models import Postmortem


def postmortem_for(request: HtmxHttpRequest, ref: str) -> Postmortem:
    return get_object_or_404(
        Postmortem.objects.visible_to(request.user).select_related("incident", "facilitator"),
        incident__ref=ref,
    )
