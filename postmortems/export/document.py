"""A postmortem as the export sees it: read once from the database, then rendered
without touching it again (render.py is pure)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch

from actions.models import ActionItem
from incidents.durations import IncidentTimes
from incidents.models import Incident
from incidents.pulse import pulse_steps
from postmortems import checks, kinds
from postmortems.checks.rules import CHECKS
from postmortems.models import Postmortem, Revision, SignOff

UTC = dt.UTC


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    text: str
    actor: str
    milestone: str
    source: str


@dataclass(frozen=True)
class Action:
    ref: str
    number: int
    title: str
    owner: str
    priority: str
    due: dt.date | None
    status: str
    tracking_url: str
    open: bool
    dropped: bool  # won't do, with a reason: needs no owner or date


@dataclass(frozen=True)
class Signature:
    role: str
    name: str
    signed_at: dt.datetime | None


@dataclass(frozen=True)
class RevisionRow:
    at: dt.datetime
    summary: str
    author: str


@dataclass
class Doc:
    kind: kinds.Kind
    template: kinds.Template
    ref: str
    title: str
    severity: str  # SEV-1 .. SEV-4
    change_id: str
    is_hotfix: bool
    restricted: bool
    detection: str
    state: str
    state_label: str
    facilitator: str
    finalized_at: dt.datetime | None
    review_meeting_at: dt.datetime | None
    log_root: str
    sections: dict[str, str]
    impact: dict[str, str]
    events: list[Event]
    factors: list[tuple[str, str, bool]]  # (layer label, description, verified)
    whys: list[tuple[str, str]]
    actions: list[Action]
    signoffs: list[Signature]
    revisions: list[RevisionRow]
    attachments: list[tuple[str, str]]  # (caption, file name)
    related: list[tuple[str, str]]  # (ref, title) of related incidents that are not restricted
    checklist: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)
    pulse_steps: int = 0
    # Checks the facilitator let stand before Final: (check title, who, why).
    overrides: list[tuple[str, str, str]] = field(default_factory=list)
    people: list[str] = field(default_factory=list)  # names the blame rule knows

    @property
    def milestones(self) -> dict[str, dt.datetime]:
        return {e.milestone: e.at for e in self.events if e.milestone}

    @property
    def times(self) -> IncidentTimes:
        return IncidentTimes(self.milestones)

    @property
    def started(self) -> dt.datetime | None:
        return self.milestones.get("started") or (self.events[0].at if self.events else None)

    @property
    def resolved(self) -> dt.datetime | None:
        return self.milestones.get("resolved")

    @property
    def deployed(self) -> Event | None:
        return next((e for e in self.events if e.milestone == "deployed"), None)


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def collect(postmortem: Postmortem) -> Doc:
    """Everything the Markdown of ``postmortem`` shows, in a fixed number of queries."""
    postmortem = (
        Postmortem.objects.select_related("incident", "facilitator")
        .prefetch_related(
            "sections",
            "impact_fields",
            "factors",
            "whys",
            "attachments",
            "incident__events",
            "incident__checklist",
            Prefetch("actions", ActionItem.objects.select_related("owner")),
            Prefetch("signoffs", SignOff.objects.select_related("user")),
            Prefetch(
                "related_incidents",
                Incident.objects.filter(restricted=False).order_by("ref"),
            ),
        )
        .get(pk=postmortem.pk)
    )
    incident = postmortem.incident
    template = kinds.template_for(postmortem.kind)
    # The revision history the seed keeps: the start and each workflow step.
    steps = list(
        Revision.objects.filter(postmortem=postmortem, target__in=["postmortem", "workflow"])
        .select_related("author")
        .order_by("created_at", "pk")
    )
    start = RevisionRow(postmortem.created_at, "Initial post-mortem", _name(postmortem.facilitator))
    if steps and steps[0].target == "postmortem":
        first = steps.pop(0)
        start = RevisionRow(first.created_at, first.summary, _name(first.author))
    revisions = [start, *(RevisionRow(r.created_at, r.summary, _name(r.author)) for r in steps)]
    titles = {check.name: check.title for check in CHECKS}
    checklist: dict[str, list[tuple[str, bool]]] = {}
    items = list(incident.checklist.all())
    for item in items:
        checklist.setdefault(item.stage, []).append((item.text, item.done))
    return Doc(
        kind=kinds.Kind(postmortem.kind),
        template=template,
        ref=incident.ref,
        title=incident.title,
        severity=incident.severity,
        change_id=incident.change_id,
        is_hotfix=incident.is_hotfix,
        restricted=incident.restricted,
        detection=incident.get_detection_method_display(),
        state=postmortem.state,
        state_label=postmortem.get_state_display(),
        facilitator=_name(postmortem.facilitator),
        finalized_at=postmortem.finalized_at,
        review_meeting_at=postmortem.review_meeting_at,
        log_root=postmortem.log_root,
        sections={s.key: s.body for s in postmortem.sections.all()},
        impact={f.key: f.value for f in postmortem.impact_fields.all()},
        events=[
            Event(e.occurred_at.astimezone(UTC), e.text, e.actor, e.milestone, e.source)
            for e in incident.events.all()
        ],
        factors=[
            (f.get_layer_display(), f.description, f.status == f.Status.VERIFIED)
            for f in postmortem.factors.all()
        ],
        whys=[(w.question, w.answer) for w in postmortem.whys.all()],
        actions=[
            Action(
                ref=a.ref,
                number=a.number,
                title=a.title,
                owner=a.owner_label,
                priority=a.priority,
                due=a.due_date,
                status=a.get_status_display(),
                tracking_url=a.tracking_url,
                open=a.is_open,
                dropped=a.status == ActionItem.Status.WONT_DO,
            )
            for a in postmortem.actions.all()
        ],
        signoffs=[Signature(s.role, _name(s.user), s.signed_at) for s in postmortem.signoffs.all()],
        revisions=revisions,
        attachments=[(a.caption, a.original_name) for a in postmortem.attachments.all()],
        related=[(i.ref, i.title) for i in postmortem.related_incidents.all()],
        checklist=checklist,
        pulse_steps=pulse_steps(items),
        overrides=[
            (titles.get(o.check_name, o.check_name), _name(o.by), o.reason)
            for o in postmortem.check_overrides.select_related("by")
        ],
        people=checks.people_of(incident),
    )
