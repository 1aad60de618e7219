"""What the response panels share: rendering one panel, answering a change."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import trigger_client_event

from incidents.models import Incident
from postmortems.http import HtmxHttpRequest

# The header, the state card and the timeline re-fetch themselves on this
# event. Panels holding a form do not: a re-fetch would throw away what
# someone is typing there.
CHANGED = "incident-changed"


# A form with errors answers 422 with its fragment; base.html has htmx swap it.
INVALID = 422


def render_panel(
    request: HtmxHttpRequest, name: str, context: dict, *, status: int = 200
) -> HttpResponse:
    """The panel's fragment, ``_response_<name>.html#<name>``, by GET or after a POST."""
    return render(request, f"incidents/_response_{name}.html#{name}", context, status=status)


def answer_change(
    request: HtmxHttpRequest, incident: Incident, response: HttpResponse, *events: str
) -> HttpResponse:
    """htmx swaps the re-rendered panel and tells the page what changed; a
    plain form post (no JavaScript) goes back to the incident page."""
    if not request.htmx:
        return redirect(incident)
    for event in (CHANGED, *events):
        # After the swap, like the timeline: listeners see the panel as saved.
        trigger_client_event(response, event, after="swap")
    return response
