from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from incidents.forms import IncidentDeclareForm
from incidents.models import Incident
from incidents.services import incident_declare
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


@require_http_methods(["GET", "POST"])
def incident_new(request: HtmxHttpRequest) -> HttpResponse:
    """Declare an incident; a failed save re-renders the form with what was typed."""
    form = IncidentDeclareForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = incident_declare(
                title=data["title"],
                severity=data["severity"],
                impact_category=data["impact_category"],
                detection_method=data["detection_method"],
                summary=data["summary"],
                started_at=data["started_at"],
                detected_at=data["detected_at"],
                is_hotfix=data["is_hotfix"],
                change_id=data["change_id"],
                restricted=data["restricted"],
                responders=list(data["responders"]),
                declared_by=request.user,
            )
        except IntegrityError:
            # Another declare took this change id between validation and save.
            form.add_error("change_id", "Another incident already has this change id.")
        else:
            messages.success(
                request, f"{incident.ref} declared. Assign roles and start the timeline."
            )
            return redirect(incident)
    return render(request, "incidents/new.html", {"form": form})
