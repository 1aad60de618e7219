from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from incidents.durations import IncidentTimes, format_duration
from incidents.models import Incident
from postmortems.http import HtmxHttpRequest, wants_fragment

PAGE_SIZE = 25


class IncidentFilterForm(forms.Form):
    state = forms.ChoiceField(choices=[("", "Any state"), *Incident.State.choices], required=False)
    severity = forms.ChoiceField(
        choices=[("", "Any severity"), *((value, value) for value in Incident.Severity.values)],
        required=False,
    )


@require_GET
@vary_on_headers("HX-Request")
def incident_list(request: HtmxHttpRequest) -> HttpResponse:
    incidents = (
        Incident.objects.visible_to(request.user)
        .select_related("postmortem")
        .order_by("-created_at", "-pk")
    )
    filters = IncidentFilterForm(request.GET)
    filters.is_valid()  # an unknown value filters nothing; the rest still apply
    if state := filters.cleaned_data.get("state"):
        incidents = incidents.filter(state=state)
    if severity := filters.cleaned_data.get("severity"):
        incidents = incidents.filter(severity=severity)
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "incidents/list.html"
    if wants_fragment(request):
        template += "#results"
    return render(
        request,
        template,
        {"page": page, "filters": filters, "filtered": bool(state or severity)},
    )


@require_GET
def incident_detail(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    incident = get_object_or_404(
        Incident.objects.visible_to(request.user).select_related("declared_by", "postmortem"),
        ref=ref,
    )
    events = list(incident.events.all())
    times = IncidentTimes(
        {event.milestone: event.occurred_at for event in events if event.milestone}
    )
    status = incident.status_updates.first()
    still_open = incident.state in (Incident.State.ACTIVE, Incident.State.MITIGATED)
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "postmortem": getattr(incident, "postmortem", None),
            "events": events,
            "durations": [
                ("Time to detect", format_duration(times.time_to_detect)),
                ("Time to mitigate", format_duration(times.time_to_mitigate)),
                ("Time to resolve", format_duration(times.time_to_resolve)),
            ],
            "roles": incident.roles.filter(ended_at__isnull=True).select_related("user"),
            "responders": incident.responders.order_by("first_name", "last_name", "username"),
            "cadence": format_duration(incident.status_cadence),
            "status": status,
            "status_overdue": bool(
                status and still_open and status.next_update_due < timezone.now()
            ),
        },
    )
