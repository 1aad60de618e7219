"""Supporting data: images stored by the app, and related incidents."""

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from incidents.models import Incident
from postmortems.forms import AttachmentForm, RelatedIncidentForm
from postmortems.http import HtmxHttpRequest
from postmortems.models import Postmortem
from postmortems.services import attachment_add, related_incident_link, related_incident_unlink
from postmortems.views import postmortem_for

TEMPLATE = "postmortems/detail.html"


def _attachments(request, postmortem: Postmortem, form: AttachmentForm, status: int = 200):
    context = {
        "postmortem": postmortem,
        "incident": postmortem.incident,
        "attachments": list(postmortem.attachments.all()),
        "attachment_form": form,
    }
    return render(request, f"{TEMPLATE}#attachments-panel", context, status=status)


@require_POST
def attachment_upload(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _attachments(request, postmortem, form, status=422)
    attachment_add(
        postmortem=postmortem,
        by=request.user,
        upload=form.cleaned_data["file"],
        content_type=form.content_type,
        caption=form.cleaned_data["caption"],
    )
    return _attachments(request, postmortem, AttachmentForm())


@require_GET
def attachment_file(request: HtmxHttpRequest, ref: str, attachment: int) -> FileResponse:
    """The stored image, for those who may see the postmortem only; never public media."""
    postmortem = postmortem_for(request, ref)
    stored = get_object_or_404(postmortem.attachments, pk=attachment)
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The stored file is missing.") from error
    response = FileResponse(handle, content_type=stored.content_type, filename=stored.original_name)
    # Shown in the page as an image; a download keeps its original name.
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "attachment", "inline", 1
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _related(request, postmortem: Postmortem, form: RelatedIncidentForm, status: int = 200):
    context = {
        "postmortem": postmortem,
        "incident": postmortem.incident,
        "related": list(postmortem.related_incidents.visible_to(request.user).order_by("ref")),
        "related_form": form,
    }
    return render(request, f"{TEMPLATE}#related-panel", context, status=status)


@require_POST
def related_link(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    visible = Incident.objects.visible_to(request.user)
    form = RelatedIncidentForm(request.POST, visible=visible)
    if form.is_valid():
        incident = form.cleaned_data["ref"]
        if incident.pk == postmortem.incident_id:
            form.add_error("ref", "That is this postmortem's own incident.")
        else:
            related_incident_link(postmortem=postmortem, incident=incident, by=request.user)
            return _related(request, postmortem, RelatedIncidentForm(visible=visible))
    return _related(request, postmortem, form, status=422)


@require_POST
def related_unlink(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    incident = get_object_or_404(postmortem.related_incidents.visible_to(request.user), pk=pk)
    related_incident_unlink(postmortem=postmortem, incident=incident, by=request.user)
    visible = Incident.objects.visible_to(request.user)
    return _related(request, postmortem, RelatedIncidentForm(visible=visible))
