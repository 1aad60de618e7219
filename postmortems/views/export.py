"""The export panel of a postmortem (start, progress, result, download) and
the change-folder import screen."""

import json
from pathlib import PurePosixPath

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from postmortems.export.forms import ExportForm, ImportForm
from postmortems.export.importer import change_import
from postmortems.export.services import ExportInProgress, export_request
from postmortems.http import HtmxHttpRequest, wants_fragment
from postmortems.models import ExportRun, Postmortem
from postmortems.views import postmortem_for

PANEL = "postmortems/_export.html#export-panel"
EXPORTABLE = (Postmortem.State.FINAL, Postmortem.State.CLOSED)


def may_redact(request: HtmxHttpRequest, postmortem: Postmortem) -> bool:
    """Redaction is the facilitator's choice (or a superuser's)."""
    return request.user.is_superuser or postmortem.facilitator_id == request.user.pk


def _panel(request, postmortem: Postmortem, *, status: int = 200, error: str = "") -> HttpResponse:
    run = postmortem.exports.select_related("requested_by").first()
    context = {
        "postmortem": postmortem,
        "incident": postmortem.incident,
        "run": run,
        "exportable": postmortem.state in EXPORTABLE,
        "may_redact": may_redact(request, postmortem),
        "contract_json": json.dumps(run.contract, indent=2, ensure_ascii=False) if run else "",
        "error": error,
    }
    return render(request, PANEL, context, status=status)


@require_http_methods(["GET", "POST"])
def export_panel(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """GET: the panel (polled every second while a run is queued or running).
    POST: start an export, optionally redacting the findings."""
    postmortem = postmortem_for(request, ref)
    if request.method == "GET":
        return _panel(request, postmortem)
    form = ExportForm(request.POST)
    form.is_valid()
    redact = form.cleaned_data.get("redact", False)
    error = ""
    if postmortem.state not in EXPORTABLE:
        error = "Only a Final postmortem is exported: move the review to Final first."
    elif redact and not may_redact(request, postmortem):
        error = "Only the facilitator can choose to redact the findings."
    else:
        try:
            export_request(postmortem=postmortem, by=request.user, redact=redact)
        except ExportInProgress:
            error = "An export is already under way; its progress is shown below."
    if not request.htmx:
        return redirect(postmortem)
    return _panel(request, postmortem, status=422 if error else 200, error=error)


@require_GET
def export_markdown(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    """The Markdown a run exported, to those who may see the postmortem."""
    postmortem = postmortem_for(request, ref)
    run = get_object_or_404(
        postmortem.exports.filter(status=ExportRun.Status.COMPLETE).exclude(markdown=""), pk=pk
    )
    name = PurePosixPath(run.contract.get("artifacts", {}).get("postmortem", "")).name
    response = HttpResponse(run.markdown, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, name or f"{postmortem.incident.ref}.md"
    )
    return response


@require_http_methods(["GET", "POST"])
def import_change(request: HtmxHttpRequest) -> HttpResponse:
    """Read a change folder into an incident and its hotfix postmortem."""
    form = ImportForm(request.POST or None)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = change_import(change_id=form.cleaned_data["change_id"], by=request.user)
            status = 200 if result.answer["status"] == "complete" else 422
        else:
            status = 422
    context = {
        "form": form,
        "result": result,
        "answer_json": json.dumps(result.answer, indent=2, ensure_ascii=False) if result else "",
    }
    template = "postmortems/import.html"
    if wants_fragment(request):
        template += "#import-form"
    return render(request, template, context, status=status)
