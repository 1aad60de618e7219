"""The timeline panel of the incident page: add at scribe speed, filter by
kind, edit, delete and highlight entries, and show their history.

Every change answers with its own fragment and triggers ``incident-changed``:
the header and the list (``#timeline-list``, re-fetchable alone) then re-fetch
themselves, so an entry lands in time order and the offsets follow a moved
``started`` milestone. Bad input answers 422, a stale version 409; base.html's
htmx-config swaps both like a 200.
"""

import datetime as dt

from django import forms
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from incidents.durations import format_offset
from incidents.forms import TimelineEventForm, TypedTimeField
from incidents.models import Incident, TimelineEvent, TimelineEventRevision
from incidents.services import (
    MilestoneTaken,
    StaleVersion,
    timeline_add,
    timeline_delete,
    timeline_edit,
)
from incidents.views import incident_for
from postmortems.fragments import cached_fragment
from postmortems.http import HtmxHttpRequest

PANEL = "incidents/_timeline_panel.html"
ENTRY = "incidents/_timeline.html#entry"
FIELDS = ("occurred_at", "kind", "milestone", "text", "actor", "source", "highlighted")
# DOM order of the form: the first field with an error gets the cursor.
FOCUS_ORDER = ("occurred_at", "text", "kind", "milestone", "actor", "source")
# The list shows the newest entries; the rest are one "Show all" away. A
# 5,000-entry incident made a 12 MB page, and every change re-sent it to
# every reader.
SHOWN = 200


# Reading


def _kind_filter(request: HtmxHttpRequest) -> str:
    kind = request.GET.get("kind", "")
    return kind if kind in TimelineEvent.Kind.values else ""


def _with_offsets(events: list[TimelineEvent], started: dt.datetime | None) -> list[TimelineEvent]:
    """Each entry's ``offset`` (T+hh:mm) from the ``started`` milestone."""
    for event in events:
        event.offset = format_offset(event.occurred_at, started)
    return events


def list_context(request: HtmxHttpRequest, incident: Incident) -> dict:
    """The list as the panel shows it: the newest ``SHOWN`` entries of the
    chosen kind (every one with ?timeline=all), so that the page and every
    re-fetch cost the same whatever the incident's length."""
    kind = _kind_filter(request)
    show_all = request.GET.get("timeline") == "all"
    entries = incident.events.filter(kind=kind) if kind else incident.events.all()
    shown, total, stamp = entries.newest(None if show_all else SHOWN)
    return {
        "incident": incident,
        "timeline_entries": shown,
        "timeline_total": total,
        "timeline_hidden": total - len(shown),
        "timeline_all": show_all,
        "timeline_shown": SHOWN,
        "timeline_stamp": stamp,
        "timeline_kind": kind,
        "timeline_kind_label": TimelineEvent.Kind(kind).label if kind else "",
        "timeline_kinds": TimelineEvent.Kind.choices,
    }


def panel_context(request: HtmxHttpRequest, incident: Incident) -> dict:
    return {**list_context(request, incident), "timeline_form": _add_form()}


def _event(incident: Incident, pk: int) -> TimelineEvent:
    # Scoped to the incident the user may see: another incident's entry is a 404.
    return get_object_or_404(incident.events, pk=pk)


@require_GET
def events(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """The list alone (respecting ?kind= and ?timeline=all): re-fetched after
    any change, by every open page at once, so rendered once per change
    (fragments.py)."""
    incident = incident_for(request, ref)
    return HttpResponse(shared_list(request, list_context(request, incident)))


def shared_list(request: HtmxHttpRequest, context: dict, *, milestones: dict | None = None) -> str:
    """The list's HTML (``context``: list_context), rendered once per change
    for every reader. ``milestones``: the incident's, when the caller has
    them already."""
    incident = context["incident"]
    times = incident.milestone_times() if milestones is None else milestones
    # The offsets count from "started", which a kind filter may hide: its
    # time is part of the key, so moving it re-renders every filtered list.
    started = times.get(TimelineEvent.Milestone.STARTED)
    shown = "all" if context["timeline_all"] else SHOWN

    def render_list(extra: dict) -> str:
        _with_offsets(context["timeline_entries"], started=started)
        return render_to_string(f"{PANEL}#list", context | extra, request=request)

    return cached_fragment(
        request,
        incident=incident.pk,
        part="timeline",
        stamp=context["timeline_stamp"],
        variant=f"{context['timeline_kind']}:{shown}:{started.timestamp() if started else '-'}",
        render=render_list,
    )


@require_GET
def entry(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    """One entry as shown in the list: Cancel and Escape restore it."""
    incident = incident_for(request, ref)
    return _entry_response(request, incident, _event(incident, pk))


@require_GET
def history(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    incident = incident_for(request, ref)
    event = _event(incident, pk)
    revisions = event.revisions.select_related("changed_by").order_by("-version", "-pk")
    return render(request, f"{PANEL}#history", {"revisions": _labelled(revisions)})


@require_GET
def deleted(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """Deleted entries, from the history their deletion kept."""
    incident = incident_for(request, ref)
    revisions = (
        TimelineEventRevision.objects.filter(incident=incident, change="delete")
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")
    )
    return render(request, f"{PANEL}#deleted", {"revisions": _labelled(revisions)})


def _labelled(revisions) -> list[TimelineEventRevision]:
    # Revisions store raw choice values (no choices on the history model).
    kinds, milestones = dict(TimelineEvent.Kind.choices), dict(TimelineEvent.Milestone.choices)
    rows = list(revisions)
    for row in rows:
        row.kind_label = kinds.get(row.kind, row.kind)
        row.milestone_label = milestones.get(row.milestone, row.milestone)
    return rows


# Forms


def _dress(form: TimelineEventForm, *, time_placeholder: str) -> TimelineEventForm:
    form.fields["milestone"].choices = [("", "No milestone"), *TimelineEvent.Milestone.choices]
    form.fields["occurred_at"].widget.attrs["placeholder"] = time_placeholder
    return form


def _focus(form: TimelineEventForm, name: str = "") -> None:
    """Put the cursor (htmx honours autofocus in a swap) where the user goes on:
    the first field with an error, the move checkbox for a taken milestone,
    else the text."""
    if not name and form.has_error("milestone", "milestone_taken"):
        name = "move_milestone"
    name = name or next((n for n in FOCUS_ORDER if n in form.errors), "text")
    form.fields[name].widget.attrs["autofocus"] = True


def _add_form(data=None, *, initial=None) -> TimelineEventForm:
    form = TimelineEventForm(data, initial=initial, auto_id="tl-new-%s")
    form.fields["text"].widget.attrs["aria-keyshortcuts"] = "n"
    form.fields["occurred_at"].widget.attrs["title"] = form.fields["occurred_at"].help_text
    return _dress(form, time_placeholder="now, 14:05, 2026-11-24 14:05 or ISO")


def _edit_form(event: TimelineEvent, data=None) -> TimelineEventForm:
    # No instance on POST: validating would write the typed values onto it.
    form = TimelineEventForm(
        data, instance=None if data is not None else event, auto_id=f"tl-{event.pk}-%s"
    )
    return _dress(form, time_placeholder="unchanged")


def _offers_move(form: TimelineEventForm) -> bool:
    return form.has_error("milestone", "milestone_taken") or bool(form.data.get("move_milestone"))


def _posted_version(request: HtmxHttpRequest) -> int:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        raise BadRequest("The form must say which version it was loaded at.") from None


# Writing


def _changed(response: HttpResponse) -> HttpResponse:
    # After the swap, so a list refresh never meets the form it just replaced.
    return trigger_client_event(response, "incident-changed", after="swap")


def _entry_response(
    request: HtmxHttpRequest,
    incident: Incident,
    event: TimelineEvent,
    *,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    started = incident.milestone_times().get(TimelineEvent.Milestone.STARTED)
    _with_offsets([event], started=started)
    context = {"incident": incident, "event": event, "editable": True, "entry_notice": notice}
    return render(request, ENTRY, {**context, "entry_focus": True}, status=status)


@require_POST
def add(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    incident = incident_for(request, ref)
    form = _add_form(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            event = timeline_add(
                incident=incident,
                author=request.user,
                move_milestone=data["move_milestone"],
                **{field: data[field] for field in FIELDS},
            )
        except MilestoneTaken as taken:
            form.add_error(None, taken)
        else:
            if not request.htmx:
                return redirect(incident)
            # A fresh form with the cursor in the text; kind and actor stay,
            # because a scribe often logs several steps by the same hand in a row.
            fresh = _add_form(initial={"kind": event.kind, "actor": event.actor})
            _focus(fresh, "text")
            context = {"incident": incident, "timeline_form": fresh, "timeline_added": event}
            return _changed(render(request, f"{PANEL}#add_form", context))
    _focus(form)
    context = {"incident": incident, "timeline_form": form, "offer_move": _offers_move(form)}
    return render(request, f"{PANEL}#add_form", context, status=422)


@require_GET
def edit(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    incident = incident_for(request, ref)
    event = _event(incident, pk)
    form = _edit_form(event)
    _focus(form, "text")
    context = {"incident": incident, "event": event, "form": form}
    return render(request, f"{PANEL}#edit_form", {**context, "version": event.version})


@require_POST
def save(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    incident = incident_for(request, ref)
    event = _event(incident, pk)
    version = _posted_version(request)
    form = _edit_form(event, request.POST)
    if form.is_valid():
        changes = {field: form.cleaned_data[field] for field in FIELDS}
        # The form shows minutes; an untouched (or emptied) time keeps the stored one.
        typed = form.data.get("occurred_at", "").strip()
        if not typed or typed == TypedTimeField().prepare_value(event.occurred_at):
            changes["occurred_at"] = event.occurred_at
        try:
            event = timeline_edit(
                event=event,
                by=request.user,
                version=version,
                move_milestone=form.cleaned_data["move_milestone"],
                **changes,
            )
        except StaleVersion as stale:
            return _conflict(request, incident, stale.current, form)
        except MilestoneTaken as taken:
            form.add_error(None, taken)
        else:
            return _changed(_entry_response(request, incident, event))
    _focus(form)
    context = {"incident": incident, "event": event, "form": form, "version": version}
    return render(
        request, f"{PANEL}#edit_form", {**context, "offer_move": _offers_move(form)}, status=422
    )


def _conflict(
    request: HtmxHttpRequest, incident: Incident, current: TimelineEvent, form: TimelineEventForm
) -> HttpResponse:
    """Theirs (saved) beside yours (typed), 409; yours now carries the current
    version, so saving it again re-applies it knowingly."""
    started = incident.milestone_times().get(TimelineEvent.Milestone.STARTED)
    _with_offsets([current], started=started)
    # All of the typed text in view, beside all of theirs.
    form.fields["text"].widget = forms.Textarea(attrs={"rows": 4})
    context = {"incident": incident, "event": current, "form": form, "version": current.version}
    context["offer_move"] = _offers_move(form)
    return render(request, f"{PANEL}#conflict", context, status=409)


@require_POST
def delete(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    incident = incident_for(request, ref)
    event = _event(incident, pk)
    try:
        timeline_delete(event=event, by=request.user, version=_posted_version(request))
    except StaleVersion as stale:
        notice = "Someone changed this entry since you loaded it. Check it, then delete again."
        return _entry_response(request, incident, stale.current, notice=notice, status=409)
    if not request.htmx:
        return redirect(incident)
    return _changed(HttpResponse(""))  # the entry's <li> is swapped for nothing


@require_POST
def highlight(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    """Mark or unmark a key event: an edit like any other, with its history."""
    incident = incident_for(request, ref)
    event = _event(incident, pk)
    wanted = request.POST.get("highlighted") == "1"
    try:
        event = timeline_edit(
            event=event, by=request.user, version=_posted_version(request), highlighted=wanted
        )
    except StaleVersion as stale:
        notice = "Someone changed this entry since you loaded it. Check it, then try again."
        return _entry_response(request, incident, stale.current, notice=notice, status=409)
    if not request.htmx:
        return redirect(incident)
    return _changed(_entry_response(request, incident, event))
