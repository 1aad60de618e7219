"""Timeline import from chat: upload a Slack export or paste lines, pick the
messages in a preview, and they become timeline entries (incidents/chat_import.py)."""

from django import forms
from django.contrib import messages as flash
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from incidents.chat_import import (
    Message,
    already_imported,
    chat_import,
    parse_lines,
    parse_slack_export,
)
from incidents.views import incident_for
from postmortems.http import HtmxHttpRequest

TEMPLATE = "incidents/timeline_import.html"
SALT = "incidents.timeline_import"
MAX_UPLOAD = 5 * 1024 * 1024


class ChatImportForm(forms.Form):
    export = forms.FileField(
        required=False,
        label="Slack export",
        help_text="A channel's day file (2026-11-24.json) or a zip of the export.",
    )
    channel = forms.SlugField(
        required=False, max_length=80, help_text="The channel name, for a single day file."
    )
    lines = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        label="Or paste chat lines",
        help_text="One message a line: “14:05 dana: rolled back” or an ISO 8601 time first. "
        "Times without a zone are in your time zone.",
    )
    day = forms.DateField(required=False, help_text="The day of times without a date.")

    def clean_export(self):
        upload = self.cleaned_data["export"]
        if upload and upload.size > MAX_UPLOAD:
            raise ValidationError("The file is larger than 5 MB; export fewer days.")
        return upload

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("export") and not (data.get("lines") or "").strip():
            raise ValidationError("Upload a Slack export or paste some chat lines.")
        return data


def _parse(form: ChatImportForm, incident) -> list[Message]:
    data = form.cleaned_data
    if data.get("export"):
        return parse_slack_export(data["export"], data.get("channel") or "channel")
    zone = timezone.get_current_timezone()
    day = data.get("day") or timezone.localdate(incident.created_at, zone)
    return parse_lines(data["lines"], zone=zone, day=day)


@require_http_methods(["GET", "POST"])
def timeline_import(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    incident = incident_for(request, ref)
    context = {"incident": incident}
    if request.method == "GET":
        return render(request, TEMPLATE, {**context, "form": ChatImportForm()})
    if "payload" in request.POST:
        return _import(request, incident)
    form = ChatImportForm(request.POST, request.FILES)
    parsed: list[Message] = []
    if form.is_valid():
        try:
            parsed = _parse(form, incident)
        except ValidationError as error:
            form.add_error(None, error)
        if form.is_valid() and not parsed:
            form.add_error(None, "No messages found: check the file or the line format.")
    if not form.is_valid():
        return render(request, TEMPLATE, {**context, "form": form}, status=422)
    seen = already_imported(incident, parsed)
    rows = [(index, message, message.source in seen) for index, message in enumerate(parsed)]
    payload = signing.dumps([m.as_dict() for m in parsed], salt=SALT, compress=True)
    return render(request, TEMPLATE, {**context, "rows": rows, "payload": payload})


def _import(request: HtmxHttpRequest, incident) -> HttpResponse:
    try:
        parsed = [Message.from_dict(m) for m in signing.loads(request.POST["payload"], salt=SALT)]
    except (signing.BadSignature, TypeError, KeyError, ValueError):
        flash.error(request, "The preview expired or was altered; import again.")
        return redirect("incidents:timeline_import", ref=incident.ref)
    picked = {int(i) for i in request.POST.getlist("pick") if i.isdigit()}
    chosen = [m for index, m in enumerate(parsed) if index in picked]
    added = chat_import(incident=incident, messages=chosen, by=request.user)
    skipped = len(chosen) - len(added)
    note = f" ({skipped} were already in the timeline)" if skipped else ""
    flash.success(request, f"Imported {len(added)} messages into the timeline{note}.")
    return redirect(incident)
