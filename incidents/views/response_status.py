"""The status panel: the latest update, the earlier ones on demand, the form
for the next one (its due time from the cadence) and the agreed cadence."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from incidents.durations import format_duration
from incidents.forms import StatusCadenceForm, StatusUpdateForm
from incidents.models import Incident
from incidents.services import CADENCE_SEVERITIES, incident_set_status_cadence, status_update_post
from incidents.views import incident_for
from incidents.views.response_base import INVALID, answer_change, render_panel
from postmortems.http import HtmxHttpRequest


def status_context(
    incident: Incident,
    *,
    form: StatusUpdateForm | None = None,
    cadence_form: StatusCadenceForm | None = None,
) -> dict:
    # Two rows say both which is the latest and whether earlier ones exist.
    recent = list(incident.status_updates.select_related("author")[:2])
    if form is None:
        due = timezone.now() + incident.status_cadence
        form = StatusUpdateForm(prefix="status", initial={"next_update_due": due})
    # An empty next time is refused, not read as "now" as the field's placeholder says.
    form.fields["next_update_due"].widget.attrs["placeholder"] = "e.g. 14:05"
    if cadence_form is None and incident.severity in CADENCE_SEVERITIES:
        cadence_form = StatusCadenceForm(
            prefix="cadence", initial={"status_cadence_minutes": incident.status_cadence_minutes}
        )
    return {
        "status_latest": recent[0] if recent else None,
        "status_has_earlier": len(recent) > 1,
        "status_form": form,
        "status_cadence": format_duration(incident.status_cadence),
        "cadence_form": cadence_form,
    }


def _render(request: HtmxHttpRequest, incident: Incident, **forms) -> HttpResponse:
    invalid = any(form.errors for form in forms.values())
    context = {"incident": incident, **status_context(incident, **forms)}
    return render_panel(request, "status", context, status=INVALID if invalid else 200)


@require_GET
def status_panel(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    return _render(request, incident_for(request, ref))


@require_GET
def status_earlier(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """Every update but the latest, newest first: opened on demand."""
    incident = incident_for(request, ref)
    earlier = incident.status_updates.select_related("author")[1:]
    return render(request, "incidents/_response_status.html#earlier", {"earlier": earlier})


@require_POST
def status_post(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    incident = incident_for(request, ref)
    form = StatusUpdateForm(request.POST, prefix="status")
    if form.is_valid():
        try:
            status_update_post(incident=incident, author=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return answer_change(request, incident, _render(request, incident))
    return _render(request, incident, form=form)


@require_POST
def status_cadence(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    incident = incident_for(request, ref)
    form = StatusCadenceForm(request.POST, prefix="cadence")
    if form.is_valid():
        minutes = form.cleaned_data["status_cadence_minutes"]
        try:
            incident_set_status_cadence(incident=incident, minutes=minutes, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return answer_change(request, incident, _render(request, incident))
    return _render(request, incident, cadence_form=form)
