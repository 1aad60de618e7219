"""The pulse checklist panel: the pulse seed's four stages, each check ticked
by whoever did it, with who and when; the header's meter follows."""

from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST

from incidents.forms import ChecklistTickForm
from incidents.models import ChecklistItem, Incident
from incidents.services import checklist_tick
from incidents.views import incident_for
from incidents.views.response_base import answer_change, render_panel
from postmortems.http import HtmxHttpRequest


@dataclass(frozen=True)
class Stage:
    label: str
    items: list[ChecklistItem]

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.done)


def checklist_context(incident: Incident) -> dict:
    items = list(incident.checklist.select_related("done_by"))
    stages = [
        Stage(stage.label, [item for item in items if item.stage == stage])
        for stage in ChecklistItem.Stage
    ]
    return {"checklist_stages": [stage for stage in stages if stage.items]}


def _render(request: HtmxHttpRequest, incident: Incident) -> HttpResponse:
    context = {"incident": incident, **checklist_context(incident)}
    return render_panel(request, "checklist", context)


@require_GET
def checklist_panel(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    return _render(request, incident_for(request, ref))


@require_POST
def checklist_tick_view(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    incident = incident_for(request, ref)
    item = get_object_or_404(incident.checklist, pk=pk)
    form = ChecklistTickForm(request.POST)
    form.is_valid()  # an unticked box sends nothing: not done
    checklist_tick(item=item, by=request.user, done=form.cleaned_data["done"])
    return answer_change(request, incident, _render(request, incident))
