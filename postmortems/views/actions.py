"""Action items inside the postmortem: added in the panel, edited in place
one row at a time (the edit form is fetched when editing starts, so the page
draws no select of people per row)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

# Views sit above the apps: the review page edits its follow-ups.
from actions.forms import ActionItemForm
from actions.models import ActionItem
from actions.services import action_capture, action_update
from postmortems.forms import VersionForm
from postmortems.http import HtmxHttpRequest
from postmortems.learning.recurrence import recurrence_context
from postmortems.models import Postmortem
from postmortems.versioning import StaleVersion
from postmortems.views import postmortem_for

TEMPLATE = "postmortems/detail.html"


def action_form(postmortem: Postmortem, *args, **kwargs) -> ActionItemForm:
    return ActionItemForm(
        *args, factors=postmortem.factors.all(), incident=postmortem.incident, **kwargs
    )


def add_form(postmortem: Postmortem, *args, factors: list | None = None) -> ActionItemForm:
    """The add form; ``factors``: the postmortem's factors when already read
    (the document page), so that drawing the form reads them no second time."""
    form = action_form(postmortem, *args, auto_id="id_action_new_%s")
    if factors is not None:
        form.offer_factors(factors)
    return form


def _dated(actions: list[ActionItem]) -> list[ActionItem]:
    today = timezone.localdate()
    for action in actions:
        action.overdue_days = action.days_overdue(today)
    return actions


def _action(postmortem: Postmortem, pk: int) -> ActionItem:
    queryset = postmortem.actions.select_related("owner", "verified_by", "factor")
    return _dated([get_object_or_404(queryset, pk=pk)])[0]


def _row(request, postmortem: Postmortem, action: ActionItem, *, status=200, **extra):
    context = {"postmortem": postmortem, "incident": postmortem.incident, "action": action}
    return render(request, f"{TEMPLATE}#action-row", context | extra, status=status)


@require_POST
def action_add(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    form = add_form(postmortem, request.POST)
    if form.is_valid():
        action = action_capture(postmortem=postmortem, by=request.user, **form.cleaned_data)
        form, status = add_form(postmortem), 200
        # Earlier actions it resembles: a fix promised twice (learning/recurrence.py).
        recurrence = recurrence_context(request.user, action)
        # Keyboard flow: the next action starts where this one did.
        form.fields["title"].widget.attrs["autofocus"] = True
    else:
        status, recurrence = 422, {}
    actions = postmortem.actions.select_related("owner", "verified_by", "factor")
    context = {
        "postmortem": postmortem,
        "incident": postmortem.incident,
        "actions": _dated(list(actions)),
        "action_form": form,
        "added": status == 200,
        **recurrence,
    }
    return render(request, f"{TEMPLATE}#actions-panel", context, status=status)


@require_GET
def action_row(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    """The row as the table shows it: Cancel puts it back."""
    postmortem = postmortem_for(request, ref)
    return _row(request, postmortem, _action(postmortem, pk))


@require_http_methods(["GET", "POST"])
def action_edit(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    """GET: the row's edit form at its current version. POST: save it; bad
    input (422) and a stale version (409) keep what was typed."""
    postmortem = postmortem_for(request, ref)
    action = _action(postmortem, pk)
    prefix = f"action-{action.pk}"
    if request.method == "GET":
        form = action_form(postmortem, instance=action, prefix=prefix)
        form.fields["title"].widget.attrs["autofocus"] = True
        return _row(request, postmortem, action, edit_form=form, version=action.version)
    form = action_form(postmortem, request.POST, instance=action, prefix=prefix)
    version = VersionForm(request.POST)
    if not (form.is_valid() and version.is_valid()):
        typed_version = request.POST.get("version", action.version)
        return _row(request, postmortem, action, status=422, edit_form=form, version=typed_version)
    try:
        action_update(
            action=action,
            by=request.user,
            version=version.cleaned_data["version"],
            **form.cleaned_data,
        )
    except StaleVersion as stale:
        # Theirs is shown in the row; yours stays in the form, now at their
        # version, so saving again is a deliberate choice to use yours.
        theirs = _action(postmortem, stale.current.pk)
        return _row(
            request,
            postmortem,
            theirs,
            status=409,
            edit_form=form,
            version=theirs.version,
            conflict=True,
        )
    return _row(request, postmortem, _action(postmortem, pk), saved=True)
