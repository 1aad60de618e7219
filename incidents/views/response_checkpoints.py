"""The checkpoints panel: the shift-change packets, newest first, and the
form for the next one (opened by the roles panel after a commander change)."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET, require_POST

from incidents.durations import format_duration
from incidents.forms import CheckpointForm
from incidents.models import Incident
from incidents.services import checkpoint_record
from incidents.views import incident_for
from incidents.views.response_base import INVALID, answer_change, render_panel
from postmortems.http import HtmxHttpRequest

# The roles panel listens for it: its handover prompt goes once answered.
RECORDED = "checkpoint-recorded"


def checkpoints_context(
    incident: Incident, *, form: CheckpointForm | None = None, record: bool = False
) -> dict:
    """``record``: the form opens with the cursor in it (the handover prompt)."""
    if form is None:
        cadence = f"Status updates every {format_duration(incident.status_cadence)}"
        form = CheckpointForm(prefix="checkpoint", initial={"comms_cadence": cadence})
    # Empty means no decision point is set, not "now" as the field's placeholder says.
    form.fields["next_decision_at"].widget.attrs["placeholder"] = "e.g. 14:05"
    if record:
        form.fields["state"].widget.attrs["autofocus"] = True
    return {
        "checkpoints": list(incident.checkpoints.select_related("author")),
        "checkpoint_form": form,
        "checkpoint_form_open": record or form.is_bound,
    }


def _render(request: HtmxHttpRequest, incident: Incident, **options) -> HttpResponse:
    context = {"incident": incident, **checkpoints_context(incident, **options)}
    form = context["checkpoint_form"]
    return render_panel(request, "checkpoints", context, status=INVALID if form.errors else 200)


@require_GET
def checkpoints_panel(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    incident = incident_for(request, ref)
    return _render(request, incident, record=request.GET.get("record") == "1")


@require_POST
def checkpoint_record_view(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    incident = incident_for(request, ref)
    form = CheckpointForm(request.POST, prefix="checkpoint")
    if not form.is_valid():
        return _render(request, incident, form=form)
    checkpoint_record(incident=incident, author=request.user, **form.cleaned_data)
    return answer_change(request, incident, _render(request, incident), RECORDED)
