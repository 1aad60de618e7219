import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from operator import attrgetter

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

# The review page shows its follow-ups: views sit above all three apps, so
# this one reads actions (the models of actions never reach back).
from actions.models import ActionItem
from incidents.models import TimelineEvent
from postmortems import kinds
from postmortems.http import HtmxHttpRequest, wants_fragment
from postmortems.models import Postmortem, Section, SignOff

PAGE_SIZE = 25
FINISHED = (Postmortem.State.FINAL, Postmortem.State.CLOSED)


def _with_due(postmortems: Iterable[Postmortem], now: dt.datetime) -> None:
    """Set ``due`` and ``overdue`` on each postmortem (``resolved_at`` annotated)."""
    for postmortem in postmortems:
        postmortem.due = postmortem.due_at(postmortem.resolved_at)
        postmortem.overdue = bool(
            postmortem.due and postmortem.due < now and postmortem.state not in FINISHED
        )


@require_GET
@vary_on_headers("HX-Request")
def postmortem_list(request: HtmxHttpRequest) -> HttpResponse:
    resolved_at = TimelineEvent.objects.filter(
        incident=OuterRef("incident"), milestone=TimelineEvent.Milestone.RESOLVED
    ).values("occurred_at")[:1]
    open_actions = (
        ActionItem.objects.open()
        .filter(postmortem=OuterRef("pk"))
        .order_by()
        .values("postmortem")
        .annotate(n=Count("pk"))
        .values("n")
    )
    postmortems = (
        Postmortem.objects.visible_to(request.user)
        .select_related("incident", "facilitator")
        .annotate(
            resolved_at=Subquery(resolved_at), open_actions=Coalesce(Subquery(open_actions), 0)
        )
        .order_by("-created_at", "-pk")
    )
    page = Paginator(postmortems, PAGE_SIZE).get_page(request.GET.get("page"))
    _with_due(page, timezone.now())
    template = "postmortems/list.html"
    if wants_fragment(request):
        template += "#results"
    return render(request, template, {"page": page})


@dataclass(frozen=True)
class Group:
    """A heading of the template and what is written under it."""

    title: str
    items: list


def _section_groups(template: kinds.Template, sections: Iterable[Section]) -> list[Group]:
    by_key = {section.key: section for section in sections}
    return [
        Group(title, [(spec, by_key.get(spec.key)) for spec in specs])
        for title, specs in groupby(template.sections, key=attrgetter("group"))
    ]


def _impact_groups(template: kinds.Template, postmortem: Postmortem) -> list[Group]:
    if not template.impact_fields:
        return []
    values = {field.key: field.value for field in postmortem.impact_fields.all()}
    return [
        Group(title, [(spec.label, values.get(spec.key, "")) for spec in specs])
        for title, specs in groupby(template.impact_fields, key=attrgetter("group"))
    ]


def _parts_to_load(template: kinds.Template) -> list[str | Prefetch]:
    """The related rows the template shows, each in one query."""
    lookups: list[str | Prefetch] = ["sections", "incident__events"]
    if template.impact_fields:
        lookups.append("impact_fields")
    if template.has(kinds.Structured.FACTORS):
        lookups.append("factors")
    if template.has(kinds.Structured.WHYS):
        lookups.append("whys")
    if template.has(kinds.Structured.ACTIONS):
        lookups.append(Prefetch("actions", ActionItem.objects.select_related("owner")))
    if template.has(kinds.Structured.SIGNOFF):
        lookups.append(Prefetch("signoffs", SignOff.objects.select_related("user")))
    return lookups


@require_GET
def postmortem_detail(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    postmortem = get_object_or_404(
        Postmortem.objects.visible_to(request.user).select_related("incident", "facilitator"),
        incident__ref=ref,
    )
    template = kinds.template_for(postmortem.kind)
    prefetch_related_objects([postmortem], *_parts_to_load(template))
    events = list(postmortem.incident.events.all())
    postmortem.resolved_at = next(
        (e.occurred_at for e in events if e.milestone == TimelineEvent.Milestone.RESOLVED), None
    )
    _with_due([postmortem], timezone.now())
    today = timezone.localdate()
    actions = list(postmortem.actions.all()) if template.has(kinds.Structured.ACTIONS) else []
    for action in actions:
        action.overdue_days = action.days_overdue(today)
    return render(
        request,
        "postmortems/detail.html",
        {
            "postmortem": postmortem,
            "incident": postmortem.incident,
            "template": template,
            "show": {part.value: template.has(part) for part in kinds.Structured},
            "section_groups": _section_groups(template, postmortem.sections.all()),
            "impact_groups": _impact_groups(template, postmortem),
            "events": events,
            "actions": actions,
        },
    )
