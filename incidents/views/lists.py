from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

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
