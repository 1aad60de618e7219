"""Contributing factors and the 5-whys chain: rows added, edited, moved and
deleted in place; each answer is the part's panel, re-rendered."""

from dataclasses import dataclass

from django import forms
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from postmortems.forms import FactorForm, MoveForm, VersionForm, WhyForm
from postmortems.http import HtmxHttpRequest
from postmortems.learning.recurrence import recurrence_context
from postmortems.models import ContributingFactor, Postmortem, Why
from postmortems.services import row_add, row_delete, row_edit, row_move
from postmortems.versioning import StaleVersion
from postmortems.views import postmortem_for

TEMPLATE = "postmortems/detail.html"


@dataclass(frozen=True)
class RowPart:
    model: type[ContributingFactor] | type[Why]
    form: type[forms.ModelForm]
    panel: str  # the partial
    related_name: str
    noun: str


FACTORS = RowPart(ContributingFactor, FactorForm, "factors-panel", "factors", "factor")
WHYS = RowPart(Why, WhyForm, "whys-panel", "whys", "why")


def panel_context(postmortem: Postmortem, part: RowPart, **extra) -> dict:
    rows = list(getattr(postmortem, part.related_name).all())
    context = {
        "postmortem": postmortem,
        "incident": postmortem.incident,
        part.related_name: rows,
        "layers": ContributingFactor.Layer.choices,
        "statuses": ContributingFactor.Status.choices,
        f"{part.noun}_form": part.form(auto_id=f"id_{part.noun}_new_%s"),
    }
    if extra.pop("focus", None) == "add":
        # Keyboard flow: after adding a row, the next one starts where this one did.
        form = extra.get(f"{part.noun}_form") or context[f"{part.noun}_form"]
        next(iter(form.fields.values())).widget.attrs["autofocus"] = True
    return context | extra


def _panel(request, postmortem, part: RowPart, *, status: int = 200, **extra) -> HttpResponse:
    context = panel_context(postmortem, part, **extra)
    return render(request, f"{TEMPLATE}#{part.panel}", context, status=status)


@require_POST
def add(request: HtmxHttpRequest, ref: str, part: RowPart) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    form = part.form(request.POST, auto_id=f"id_{part.noun}_new_%s")
    if not form.is_valid():
        return _panel(request, postmortem, part, status=422, **{f"{part.noun}_form": form})
    row = row_add(model=part.model, postmortem=postmortem, by=request.user, **form.cleaned_data)
    # Earlier factors it resembles, shown beside it (postmortems/learning/recurrence.py).
    return _panel(request, postmortem, part, focus="add", **recurrence_context(request.user, row))


@require_POST
def edit(request: HtmxHttpRequest, ref: str, pk: int, part: RowPart) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    row = get_object_or_404(getattr(postmortem, part.related_name), pk=pk)
    form = part.form(request.POST, instance=part.model(postmortem=postmortem))
    version = VersionForm(request.POST)
    if not (form.is_valid() and version.is_valid()):
        editing = {"pk": row.pk, "typed": request.POST, "errors": form.errors}
        return _panel(request, postmortem, part, status=422, editing=editing)
    try:
        row_edit(
            row=row, by=request.user, version=version.cleaned_data["version"], **form.cleaned_data
        )
    except StaleVersion as stale:
        editing = {
            "pk": row.pk,
            "typed": request.POST,
            "conflict": True,
            "version": stale.current.version,
        }
        return _panel(request, postmortem, part, status=409, editing=editing)
    return _panel(request, postmortem, part, focus_row=row.pk)


@require_POST
def delete(request: HtmxHttpRequest, ref: str, pk: int, part: RowPart) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    row = get_object_or_404(getattr(postmortem, part.related_name), pk=pk)
    version = VersionForm(request.POST)
    if not version.is_valid():
        return _panel(request, postmortem, part, status=422)
    try:
        row_delete(row=row, by=request.user, version=version.cleaned_data["version"])
    except StaleVersion as stale:
        deleting = {"pk": row.pk, "version": stale.current.version}
        return _panel(request, postmortem, part, status=409, deleting=deleting)
    return _panel(request, postmortem, part, focus="add")


@require_POST
def move(request: HtmxHttpRequest, ref: str, pk: int, part: RowPart) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    row = get_object_or_404(getattr(postmortem, part.related_name), pk=pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        row_move(row=row, by=request.user, offset=form.cleaned_data["offset"])
        direction = "up" if form.cleaned_data["offset"] < 0 else "down"
        return _panel(request, postmortem, part, focus_row=row.pk, focus_dir=direction)
    return _panel(request, postmortem, part, status=422)
