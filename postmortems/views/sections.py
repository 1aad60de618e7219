"""Narrative sections and impact fields, edited inline with their versions."""

import difflib

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from postmortems import kinds
from postmortems.forms import ImpactFieldForm, SectionForm
from postmortems.http import HtmxHttpRequest
from postmortems.markdown import render_markdown
from postmortems.models import Postmortem, Section
from postmortems.services import impact_field_save, section_save
from postmortems.versioning import StaleVersion
from postmortems.views import postmortem_for

TEMPLATE = "postmortems/detail.html"


def line_diff(theirs: str, yours: str) -> list[tuple[str, str]]:
    """(kind, line) of a unified line diff from their text to yours; kind is
    "add", "del", "hunk" or "same"."""
    lines = difflib.unified_diff(
        theirs.splitlines(), yours.splitlines(), "theirs", "yours", lineterm="", n=2
    )
    kinds_by_prefix = {"+": "add", "-": "del", "@": "hunk"}
    return [
        (kinds_by_prefix.get(line[:1], "same"), line)
        for line in lines
        if not line.startswith(("--- ", "+++ "))
    ]


def _spec(postmortem: Postmortem, section: Section) -> kinds.Section | None:
    template = kinds.template_for(postmortem.kind)
    return next((spec for spec in template.sections if spec.key == section.key), None)


@require_POST
def section_preview(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """The live preview: the typed Markdown through the one sanitizer."""
    postmortem_for(request, ref)
    body = request.POST.get("body", "")
    return render(request, f"{TEMPLATE}#preview", {"html": render_markdown(body), "body": body})


@require_POST
def section_edit(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    """Start editing: the editor with the section's current text and version.

    A POST because it begins an edit (and will announce who is editing);
    the page itself carries no raw Markdown, only what the sanitizer made of it.
    """
    postmortem = postmortem_for(request, ref)
    section = get_object_or_404(postmortem.sections, pk=pk)
    context = {
        "postmortem": postmortem,
        "incident": postmortem.incident,
        "section": section,
        "spec": _spec(postmortem, section),
        "editing": True,
        "body": section.body,
    }
    return render(request, f"{TEMPLATE}#section-body", context)


@require_POST
def section_update(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    section = get_object_or_404(postmortem.sections, pk=pk)
    context = {"postmortem": postmortem, "incident": postmortem.incident}
    form = SectionForm(request.POST)
    if not form.is_valid():
        # Only a missing or broken version gets here: keep the text in the editor.
        context |= {
            "section": section,
            "spec": _spec(postmortem, section),
            "editing": True,
            "body": request.POST.get("body", ""),
            "error": "This save carried no version; reload the page and save again.",
        }
        return render(request, f"{TEMPLATE}#section-body", context, status=422)
    body = form.cleaned_data["body"]
    try:
        section = section_save(
            section=section, by=request.user, body=body, version=form.cleaned_data["version"]
        )
    except StaleVersion as stale:
        current = stale.current
        context |= {
            "section": current,
            "spec": _spec(postmortem, current),
            "yours": body,
            "diff": line_diff(current.body, body),
        }
        return render(request, f"{TEMPLATE}#section-conflict", context, status=409)
    context |= {"section": section, "spec": _spec(postmortem, section)}
    return render(request, f"{TEMPLATE}#section-body", context)


@require_POST
def impact_update(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    field = get_object_or_404(postmortem.impact_fields, pk=pk)
    template = kinds.template_for(postmortem.kind)
    spec = next((spec for spec in template.impact_fields if spec.key == field.key), None)
    context = {"postmortem": postmortem, "incident": postmortem.incident, "spec": spec}
    form = ImpactFieldForm(request.POST)
    if not form.is_valid():
        context |= {"field": field, "form": form, "editing": True}
        return render(request, f"{TEMPLATE}#impact-field", context, status=422)
    value = form.cleaned_data["value"]
    try:
        field = impact_field_save(
            field=field, by=request.user, value=value, version=form.cleaned_data["version"]
        )
    except StaleVersion as stale:
        context |= {"field": stale.current, "yours": value.strip()}
        return render(request, f"{TEMPLATE}#impact-conflict", context, status=409)
    context["field"] = field
    return render(request, f"{TEMPLATE}#impact-field", context)
