"""The postmortem list, the start page and the document page."""

import datetime as dt
import hashlib
from collections.abc import Iterable

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

# The review page shows its follow-ups: views sit above all three apps, so
# this one reads actions (the models of actions never reach back).
from actions.models import ActionItem
from incidents.durations import IncidentTimes, format_duration
from incidents.models import Incident, TimelineEvent
from postmortems import checks, kinds
from postmortems.forms import (
    AttachmentForm,
    FactorForm,
    RelatedIncidentForm,
    StartForm,
    WhyForm,
)
from postmortems.fragments import cached_fragment
from postmortems.http import HtmxHttpRequest, wants_fragment
from postmortems.models import (
    KIND_CHOICES,
    REVIEW_DEADLINE,
    ContributingFactor,
    Postmortem,
    Revision,
    Section,
    SignOff,
)
from postmortems.services import (
    TRANSITIONS,
    hotfix_blocker,
    hotfix_not_applicable_reason,
    postmortem_open,
)
from postmortems.views import postmortem_for
from postmortems.views.actions import add_form
from postmortems.views.outline import outline

PAGE_SIZE = 25
FINISHED = (Postmortem.State.FINAL, Postmortem.State.CLOSED)
REVISIONS_SHOWN = 50
WAITING_SHOWN = 10


def with_due(postmortems: Iterable[Postmortem], now: dt.datetime) -> None:
    """Set ``due`` and ``overdue`` on each postmortem (``resolved_at`` annotated)."""
    for postmortem in postmortems:
        postmortem.due = postmortem.due_at(postmortem.resolved_at)
        postmortem.overdue = bool(
            postmortem.due and postmortem.due < now and postmortem.state not in FINISHED
        )


class PostmortemFilterForm(forms.Form):
    """The list's filters, read from GET so a filtered list can be bookmarked."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    state = forms.ChoiceField(
        required=False, choices=[("", "Any state"), *Postmortem.State.choices]
    )
    kind = forms.ChoiceField(
        required=False, choices=[("", "Any template"), *KIND_CHOICES], label="Template"
    )
    severity = forms.ChoiceField(
        required=False, choices=[("", "Any severity"), *Incident.Severity.choices]
    )
    owner = forms.ModelChoiceField(
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label="Anyone",
        label="Facilitator",
    )
    overdue = forms.BooleanField(required=False, label="Review past due")

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only facilitators of reviews this user may see: a restricted
        # incident's facilitator is not named to outsiders.
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(facilitating__in=Postmortem.objects.visible_to(user))
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


def filter_postmortems(
    postmortems: QuerySet[Postmortem], data: dict, now: dt.datetime
) -> QuerySet[Postmortem]:
    """Apply the cleaned filters; ``resolved_at`` must already be annotated."""
    if state := data.get("state"):
        postmortems = postmortems.filter(state=state)
    if kind := data.get("kind"):
        postmortems = postmortems.filter(kind=kind)
    if severity := data.get("severity"):
        postmortems = postmortems.filter(incident__severity=severity)
    if owner := data.get("owner"):
        postmortems = postmortems.filter(facilitator=owner)
    if data.get("overdue"):
        postmortems = postmortems.unfinished().filter(resolved_at__lt=now - REVIEW_DEADLINE)
    if q := data.get("q"):
        # Exists, not joins: a postmortem matching in many sections is one row.
        postmortems = postmortems.filter(
            Q(incident__ref__icontains=q)
            | Q(incident__title__icontains=q)
            | Exists(Section.objects.filter(postmortem=OuterRef("pk"), body__icontains=q))
            | Exists(
                ContributingFactor.objects.filter(
                    postmortem=OuterRef("pk"), description__icontains=q
                )
            )
        )
    return postmortems


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
    now = timezone.now()
    filters = PostmortemFilterForm(request.GET, user=request.user)
    filters.is_valid()  # an unknown value filters nothing; the rest still apply
    postmortems = filter_postmortems(postmortems, filters.cleaned_data, now)
    filtered = any(filters.cleaned_data.get(name) for name in filters.fields)
    page = Paginator(postmortems, PAGE_SIZE).get_page(request.GET.get("page"))
    with_due(page, now)
    context = {"page": page, "filters": filters, "filtered": filtered}
    if wants_fragment(request):
        return render(request, "postmortems/list.html#results", context)
    # Incidents still waiting for a review, each with a link to start one.
    waiting = (
        Incident.objects.visible_to(request.user)
        .filter(postmortem__isnull=True)
        .order_by("-created_at", "-pk")[:WAITING_SHOWN]
    )
    return render(request, "postmortems/list.html", context | {"waiting": waiting})


# Starting a postmortem


def _kind_notes(incident: Incident) -> dict[str, str]:
    """Why a kind cannot be used for this incident, shown beside its choice."""
    notes = {}
    if reason := hotfix_not_applicable_reason(incident):
        notes[kinds.Kind.HOTFIX.value] = f"not_applicable: {reason}"
    elif blocker := hotfix_blocker(incident):
        notes[kinds.Kind.HOTFIX.value] = (
            f"blocked: {blocker['description']}. {blocker['resolution_required']}."
        )
    return notes


@require_http_methods(["GET", "POST"])
def postmortem_new(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.visible_to(request.user), ref=ref)
    existing = Postmortem.objects.filter(incident=incident).first()
    context = {"incident": incident, "existing": existing}
    if existing:
        return render(request, "postmortems/start.html", context)
    if request.method == "POST":
        form = StartForm(request.POST)
        if form.is_valid():
            try:
                postmortem = postmortem_open(
                    incident=incident,
                    kind=form.cleaned_data["kind"],
                    facilitator=form.cleaned_data["facilitator"],
                    by=request.user,
                    log_root=form.cleaned_data["log_root"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                url = postmortem.get_absolute_url()
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        status = 422
    else:
        form = StartForm(initial={"facilitator": request.user.pk})
        status = 200
    context |= {"form": form, "notes": _kind_notes(incident), "templates": kinds.TEMPLATES}
    template = "postmortems/start.html"
    if wants_fragment(request):
        template += "#start-form"
    return render(request, template, context, status=status)


# The document


def _parts_to_load(template: kinds.Template, user) -> list[str | Prefetch]:
    """The related rows the template shows, each in one query."""
    lookups: list[str | Prefetch] = [
        "sections",
        "incident__events",
        Prefetch("attachments"),
        Prefetch(
            "related_incidents",
            Incident.objects.visible_to(user).order_by("ref"),
        ),
    ]
    if template.impact_fields:
        lookups.append("impact_fields")
    if template.has(kinds.Structured.FACTORS):
        lookups.append("factors")
    if template.has(kinds.Structured.WHYS):
        lookups.append("whys")
    if template.has(kinds.Structured.ACTIONS):
        lookups.append(
            Prefetch("actions", ActionItem.objects.select_related("owner", "verified_by", "factor"))
        )
    if template.has(kinds.Structured.SIGNOFF):
        lookups.append(Prefetch("signoffs", SignOff.objects.select_related("user")))
    return lookups


def impact_rows(template: kinds.Template, postmortem: Postmortem) -> dict[str, list]:
    """Impact fields by their seed group: (label, field row) in the template's order."""
    rows = {field.key: field for field in postmortem.impact_fields.all()}
    groups: dict[str, list] = {}
    for spec in template.impact_fields:
        groups.setdefault(spec.group, []).append((spec, rows.get(spec.key)))
    return groups


def incident_facts(incident: Incident, events: list[TimelineEvent]) -> dict:
    """The incident's facts and times as the document shows them: from the
    incident and its milestones, never typed twice."""
    milestones = {e.milestone: e.occurred_at for e in events if e.milestone}
    times = IncidentTimes(milestones)
    started = milestones.get("started") or (events[0].occurred_at if events else None)
    ended = milestones.get("resolved")
    return {
        "milestones": milestones,
        "started": started,
        "ended": ended,
        "duration": format_duration(ended - started if started and ended else None),
        "durations": [
            ("TTD", "Time to detect", format_duration(times.time_to_detect)),
            ("TTR", "Time to respond", format_duration(times.time_to_respond)),
            ("TTM", "Time to mitigate", format_duration(times.time_to_mitigate)),
            ("", "Time to resolve", format_duration(times.time_to_resolve)),
        ],
        "deployed": next((e for e in events if e.milestone == "deployed"), None),
    }


def workflow_context(postmortem: Postmortem) -> dict:
    history = list(
        postmortem.revisions.filter(target="workflow")
        .select_related("author")
        .order_by("-created_at", "-pk")[:10]
    )
    order = list(Postmortem.State.values)
    moves = sorted(
        TRANSITIONS[postmortem.state], key=lambda state: order.index(state), reverse=True
    )
    return {
        "moves": [
            (Postmortem.State(state), order.index(state) > order.index(postmortem.state))
            for state in moves
        ],
        "history": history,
        "states": Postmortem.State.choices,
    }


def document_outline(template: kinds.Template, postmortem: Postmortem) -> list:
    """The outline with each item's rows attached: a section's row, an impact
    part's fields by group."""
    sections = {section.key: section for section in postmortem.sections.all()}
    impact = impact_rows(template, postmortem) if template.impact_fields else {}
    headings = outline(template)
    for heading in headings:
        for item in heading.items:
            if item.spec:
                item.section = sections.get(item.spec.key)
            elif item.part and item.part.impact_groups:
                item.impact = [
                    ("" if group == item.title else group, impact.get(group, []))
                    for group in item.part.impact_groups
                    if impact.get(group)
                ]
    return headings


# Rows of the document's timeline rendered and cached together: a change
# re-renders the chunk it falls in, not every row (an incident's scribe may
# add an entry every few seconds while the postmortem is open).
TIMELINE_CHUNK = 100


def doc_timeline_html(request: HtmxHttpRequest, incident: Incident, events: list) -> str:
    chunks = []
    for start in range(0, len(events), TIMELINE_CHUNK):
        rows = events[start : start + TIMELINE_CHUNK]
        # Each row's id and version: any edit, insertion or deletion changes it.
        rows_key = ",".join(f"{e.pk}.{e.version}" for e in rows).encode()
        chunks.append(
            cached_fragment(
                request,
                incident=incident.pk,
                part="doc-timeline",
                stamp=hashlib.blake2b(rows_key, digest_size=16).hexdigest(),
                variant="",
                render=lambda extra, rows=rows: render_to_string(
                    "postmortems/detail.html#doc-timeline-rows", {"events": rows}
                ),
            )
        )
    context = {"events": events, "incident": incident, "rows_html": SafeString("".join(chunks))}
    return render_to_string("postmortems/detail.html#doc-timeline", context)


def document_context(request: HtmxHttpRequest, postmortem: Postmortem) -> dict:
    template = kinds.template_for(postmortem.kind)
    prefetch_related_objects([postmortem], *_parts_to_load(template, request.user))
    incident = postmortem.incident
    events = list(incident.events.all())
    facts = incident_facts(incident, events)
    postmortem.resolved_at = facts["milestones"].get("resolved")
    with_due([postmortem], timezone.now())
    today = timezone.localdate()
    actions = list(postmortem.actions.all()) if template.has(kinds.Structured.ACTIONS) else []
    for action in actions:
        action.overdue_days = action.days_overdue(today)
    factors = list(postmortem.factors.all()) if template.has(kinds.Structured.FACTORS) else []
    revisions: list[Revision] = list(
        postmortem.revisions.select_related("author").order_by("-created_at", "-pk")[
            : REVISIONS_SHOWN + 1
        ]
    )
    return {
        "postmortem": postmortem,
        "incident": incident,
        "template": template,
        "outline": document_outline(template, postmortem),
        "events": events,
        "doc_timeline_html": doc_timeline_html(request, incident, events),
        "facts": facts,
        "actions": actions,
        "factors": factors,
        "whys": list(postmortem.whys.all()) if template.has(kinds.Structured.WHYS) else [],
        "signoffs": list(postmortem.signoffs.all())
        if template.has(kinds.Structured.SIGNOFF)
        else [],
        "attachments": list(postmortem.attachments.all()),
        "related": list(postmortem.related_incidents.all()),
        "revisions": revisions[:REVISIONS_SHOWN],
        "more_revisions": len(revisions) > REVISIONS_SHOWN,
        "factor_form": FactorForm(auto_id="id_factor_new_%s"),
        "action_form": add_form(postmortem, factors=factors),
        "why_form": WhyForm(auto_id="id_why_new_%s"),
        "attachment_form": AttachmentForm(),
        "related_form": RelatedIncidentForm(visible=Incident.objects.none()),
        "layers": ContributingFactor.Layer.choices,
        "statuses": ContributingFactor.Status.choices,
        **workflow_context(postmortem),
    }


def checks_context(request: HtmxHttpRequest, postmortem: Postmortem) -> dict:
    user = request.user
    return {
        "report": checks.run(postmortem),
        "can_override": user.is_superuser or user.pk == postmortem.facilitator_id,
    }


@require_GET
def postmortem_detail(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    return render(request, "postmortems/detail.html", document_context(request, postmortem))


@require_GET
def postmortem_block(request: HtmxHttpRequest, ref: str, anchor: str) -> HttpResponse:
    """One block of the document, as the page shows it: what an open page
    re-fetches when the block's part changes (the live channel says which)."""
    postmortem = postmortem_for(request, ref)
    if anchor == "checks":  # reads the incident itself: none of the document's rows
        context = {"postmortem": postmortem, "incident": postmortem.incident}
        context |= checks_context(request, postmortem)
        return render(request, "postmortems/detail.html#checks-panel", context)
    if anchor.startswith("section-"):
        return _section_block(request, postmortem, anchor)
    context = document_context(request, postmortem)
    if anchor == "facts":
        return render(request, "postmortems/detail.html#doc-facts", context)
    if anchor == "workflow":
        return render(request, "postmortems/detail.html#workflow", context | {"oob": True})
    for heading in context["outline"]:
        for item in heading.items:
            if item.anchor == anchor:
                block = {"heading": heading, "item": item}
                return render(request, "postmortems/detail.html#doc-block", context | block)
    raise Http404("No such part of this postmortem.")


def _section_block(request: HtmxHttpRequest, postmortem: Postmortem, anchor: str) -> HttpResponse:
    """A narrative section's block: its one row, not the whole document. Every
    reader re-fetches it after each save, so it costs the same whatever the
    rest of the postmortem holds (the timeline, 200 actions)."""
    template = kinds.template_for(postmortem.kind)
    for heading in outline(template):
        for item in heading.items:
            if item.anchor == anchor and item.spec:
                item.section = postmortem.sections.filter(key=item.spec.key).first()
                context = {"postmortem": postmortem, "incident": postmortem.incident}
                block = {"heading": heading, "item": item, "template": template}
                return render(request, "postmortems/detail.html#doc-block", context | block)
    raise Http404("No such part of this postmortem.")
