"""The demo workspace: a team, six incidents and their postmortems, built from the seeds.

One incident per seed template (``pulse``, ``review``, ``hotfix``, ``full``), plus a
restricted security-track incident and an active one, so every screen has something
to show. Times are relative to the day the demo is loaded: overdue actions are overdue
and the active incident is active whenever it runs. Everything is written in one
transaction, once; a second load finds the demo user with its incidents and changes
nothing.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from actions.models import ActionItem
from incidents.models import (
    ChecklistItem,
    Checkpoint,
    ImpactScope,
    Incident,
    RoleAssignment,
    TimelineEvent,
)
from incidents.services import incident_declare, status_update_post, timeline_add
from postmortems.kinds import Kind
from postmortems.models import (
    CheckOverride,
    ContributingFactor,
    Postmortem,
    Revision,
    Section,
    SignOff,
    Why,
)
from postmortems.services import postmortem_start

User = get_user_model()

Event = TimelineEvent.Kind
Milestone = TimelineEvent.Milestone
Role = RoleAssignment.Role
Stage = ChecklistItem.Stage
Layer = ContributingFactor.Layer
Factor = ContributingFactor.Status
Category = ActionItem.Category
Status = ActionItem.Status
Priority = ActionItem.Priority

TRACKER = "https://tracker.example.com/browse"
CHAT = "https://chat.example.com/archives"
DASHBOARDS = "https://dashboards.example.com/d"


class DemoConflict(Exception):
    """The workspace holds users the demo would need, but not the demo's data."""


@dataclass(frozen=True)
class DemoResult:
    created: bool
    username: str
    # The demo login's password, or None when it was changed after loading.
    password: str | None
    incidents: int
    postmortems: int
    action_items: int


@dataclass(frozen=True)
class Cast:
    dana: User  # the demo login: platform engineer, incident commander on rotation
    priya: User  # SRE, Platform
    marcus: User  # backend engineer, Payments
    elena: User  # engineering manager
    samir: User  # security engineer
    jordan: User  # communications lead, Support
    tomas: User  # backend engineer, Notifications


# (attribute, username, first name, last name); the demo login comes from settings.
COLLEAGUES = (
    ("priya", "priya.raman", "Priya", "Raman"),
    ("marcus", "marcus.okafor", "Marcus", "Okafor"),
    ("elena", "elena.petrova", "Elena", "Petrova"),
    ("samir", "samir.haddad", "Samir", "Haddad"),
    ("jordan", "jordan.lee", "Jordan", "Lee"),
    ("tomas", "tomas.garcia", "Tomás", "García"),
)


def _demo_incidents(user):
    return Incident.objects.filter(Q(declared_by=user) | Q(responders=user))


@transaction.atomic
def load_demo(*, now: dt.datetime | None = None) -> DemoResult:
    """Load the demo workspace unless it is there already; report which."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    user = User.objects.filter(username=settings.DEMO_USERNAME).first()
    # The demo user taking part in incidents means the demo was loaded.
    if user is not None and _demo_incidents(user).exists():
        password = settings.DEMO_PASSWORD
        # The hasher's check, not user.check_password: that one may re-save the hash.
        return _result(
            created=False, password=password if check_password(password, user.password) else None
        )
    taken = sorted(
        User.objects.filter(
            username__in=[settings.DEMO_USERNAME, *(c[1] for c in COLLEAGUES)]
        ).values_list("username", flat=True)
    )
    if taken:
        raise DemoConflict(
            f"Users {', '.join(taken)} already exist but hold no demo data; the demo "
            "will not take over existing accounts. Load it into an empty database."
        )
    cast = _create_cast()
    today = timezone.localdate(now)
    _pulse_incident(cast, today=today)
    _review_incident(cast, today=today)
    _hotfix_incident(cast, today=today)
    _security_incident(cast, today=today)
    _outage_incident(cast, today=today)
    _active_incident(cast, now=now)
    return _result(created=True, password=settings.DEMO_PASSWORD)


def _result(*, created: bool, password: str | None) -> DemoResult:
    return DemoResult(
        created=created,
        username=settings.DEMO_USERNAME,
        password=password,
        incidents=Incident.objects.count(),
        postmortems=Postmortem.objects.count(),
        action_items=ActionItem.objects.count(),
    )


# --- building blocks -------------------------------------------------------------


def _create_cast() -> Cast:
    # Created first: on PostgreSQL a concurrent loader blocks on this unique
    # username until the first commits, then fails, and its retry finds the demo.
    dana = User.objects.create_user(
        settings.DEMO_USERNAME,
        "dana.demo@example.com",
        settings.DEMO_PASSWORD,
        first_name="Dana",
        last_name="Demo",
        is_staff=True,
    )
    colleagues = {
        attribute: User.objects.create_user(
            username, f"{username}@example.com", None, first_name=first, last_name=last
        )
        for attribute, username, first, last in COLLEAGUES
    }
    return Cast(dana=dana, **colleagues)


def _name(user) -> str:
    return user.get_full_name()


def _clock(day: dt.date, hhmm: str) -> dt.datetime:
    """A wall-clock time on ``day`` in the workspace's zone."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _zone() -> str:
    return timezone.get_current_timezone_name()


def _md(*lines: str) -> str:
    return "\n".join(lines)


def _declare(*, started_at, detected_at, started: tuple, detected: tuple, **fields) -> Incident:
    """Declare through the service, then describe its two milestones: (text, actor, source)."""
    incident = incident_declare(started_at=started_at, detected_at=detected_at, **fields)
    for milestone, (text, actor, source) in (
        (Milestone.STARTED, started),
        (Milestone.DETECTED, detected),
    ):
        incident.events.filter(milestone=milestone).update(
            text=text, actor=actor, source=source, highlighted=True
        )
    return incident


def _entry(
    incident: Incident,
    at: dt.datetime,
    kind: str,
    text: str,
    *,
    by,
    actor: str = "",
    source: str = "",
    milestone: str = "",
) -> TimelineEvent:
    return timeline_add(
        incident=incident,
        author=by,
        occurred_at=at,
        kind=kind,
        text=text,
        actor=actor or _name(by),
        source=source,
        milestone=milestone,
        highlighted=bool(milestone),
    )


def _status(incident: Incident, at: dt.datetime, *, by, next_in: dt.timedelta, **text) -> None:
    status_update_post(
        incident=incident, author=by, posted_at=at, next_update_due=at + next_in, **text
    )


def _roles(incident: Incident, *rows: tuple, by) -> None:
    """Rows of (role, user, started_at, ended_at or None): the history as it happened."""
    RoleAssignment.objects.bulk_create(
        RoleAssignment(
            incident=incident, role=role, user=user, started_at=start, ended_at=end, assigned_by=by
        )
        for role, user, start, end in rows
    )


def _tick(incident: Incident, stage: str, positions: Iterable[int] = (), *, by, at) -> None:
    """Tick the stage's items at ``positions``; all of the stage's items when none are given."""
    items = incident.checklist.filter(stage=stage)
    if positions:
        items = items.filter(position__in=list(positions))
    items.update(done_at=at, done_by=by)


def _scope(incident: Incident, *rows: tuple[str, str, str, str, str]) -> None:
    ImpactScope.objects.bulk_create(
        ImpactScope(
            incident=incident,
            position=position,
            user_group=group,
            fault_domain=domain,
            dependency=dependency,
            recent_change=change,
            notes=notes,
        )
        for position, (group, domain, dependency, change, notes) in enumerate(rows)
    )


# A postmortem's version counts its workflow steps: Draft -> In review -> Final -> Closed.
_WORKFLOW_VERSION = {
    Postmortem.State.DRAFT: 1,
    Postmortem.State.IN_REVIEW: 2,
    Postmortem.State.FINAL: 3,
    Postmortem.State.CLOSED: 4,
}


def _start(
    incident: Incident,
    kind: Kind,
    *,
    facilitator,
    at: dt.datetime,
    state: str = Postmortem.State.DRAFT,
    log_root: str = "",
    **fields,
) -> Postmortem:
    postmortem = postmortem_start(
        incident=incident, kind=kind, facilitator=facilitator, log_root=log_root
    )
    Postmortem.objects.filter(pk=postmortem.pk).update(
        created_at=at, state=state, version=_WORKFLOW_VERSION[state], **fields
    )
    postmortem.refresh_from_db()
    return postmortem


def _override(postmortem: Postmortem, check: str, reason: str, *, by, at: dt.datetime) -> None:
    CheckOverride.objects.create(
        postmortem=postmortem, check_name=check, reason=reason, by=by, created_at=at
    )


def _sections(postmortem: Postmortem, bodies: dict[str, str], *, by, at: dt.datetime) -> None:
    for key, body in bodies.items():
        rows = postmortem.sections.filter(key=key)
        if rows.update(body=body, updated_by=by, updated_at=at) != 1:
            raise LookupError(f"The {postmortem.kind} template has no section {key!r}.")


def _impact(postmortem: Postmortem, values: dict[str, str]) -> None:
    for key, value in values.items():
        if postmortem.impact_fields.filter(key=key).update(value=value) != 1:
            raise LookupError(f"The {postmortem.kind} template has no impact field {key!r}.")


def _factors(postmortem: Postmortem, *rows: tuple[str, str, str], by) -> list[ContributingFactor]:
    return ContributingFactor.objects.bulk_create(
        ContributingFactor(
            postmortem=postmortem,
            layer=layer,
            status=status,
            description=description,
            position=position,
            created_by=by,
        )
        for position, (layer, status, description) in enumerate(rows)
    )


def _actions(postmortem: Postmortem, *rows: dict) -> None:
    """Action items AI-001, AI-002, ... in the order given, last changed when
    they were captured (so the dashboard's stale bucket has the old ones)."""
    ActionItem.objects.bulk_create(
        ActionItem(postmortem=postmortem, number=number, created_at=postmortem.created_at, **row)
        for number, row in enumerate(rows, start=1)
    )
    # updated_at is auto_now: set it after the insert.
    postmortem.actions.update(updated_at=postmortem.created_at)


# --- pulse: a low-severity bug caught by a customer, closed ----------------------


def _pulse_incident(cast: Cast, *, today: dt.date) -> None:
    day = today - dt.timedelta(days=33)
    next_day = day + dt.timedelta(days=1)
    at = partial(_clock, day)
    incident = _declare(
        title="Invoice PDF downloads fail for company names in non-Latin scripts",
        severity=Incident.Severity.SEV4,
        impact_category=Incident.ImpactCategory.PARTIAL,
        detection_method=Incident.DetectionMethod.CUSTOMER,
        declared_by=cast.marcus,
        responders=[cast.marcus, cast.jordan],
        summary=(
            "B2B customers whose company name is written in Cyrillic, Greek or CJK "
            "characters got an error page instead of their invoice PDF for 5 h 00 m."
        ),
        started_at=at("10:05"),
        detected_at=at("14:40"),
        started=(
            "billing-web release 412 deployed with pdf-renderer 3.0; invoices needing a "
            "non-Latin glyph start failing with HTTP 500.",
            "Deploy pipeline",
            "deploy billing-web#412",
        ),
        detected=(
            "Support ticket: a customer cannot download this month's invoices (HTTP 500).",
            "Support (Jordan Lee)",
            "https://support.example.com/tickets/58213",
        ),
    )
    Incident.objects.filter(pk=incident.pk).update(solo_mode=True)
    _roles(incident, *((role, cast.marcus, at("14:45"), None) for role in Role), by=cast.marcus)
    _entry(
        incident,
        at("14:45"),
        Event.ROLE_CHANGE,
        "Solo mode: Marcus Okafor holds every response role "
        "(commander, operations, communications, scribe).",
        by=cast.marcus,
    )
    _entry(
        incident,
        at("14:52"),
        Event.FACT,
        "Reproduced with a test company named in Cyrillic; renderer logs "
        "`GlyphMissing: no font for U+0422`. Latin names render fine.",
        by=cast.marcus,
        source="https://logs.example.com/billing-web?q=GlyphMissing",
    )
    _entry(
        incident,
        at("14:58"),
        Event.DECISION,
        "Triaged SEV-4, hotfix pulse: 37 invoices failed in 5 hours and the HTML invoice "
        "view is a working fallback. Roll back release 412 rather than patch forward.",
        by=cast.marcus,
        milestone=Milestone.TRIAGED,
    )
    _entry(
        incident,
        at("15:05"),
        Event.ACTION,
        "Rolled billing-web back to release 411 (pdf-renderer 2.8): "
        "`deployctl rollback billing-web --to 411`.",
        by=cast.marcus,
        source="deploy billing-web#411-rollback",
        milestone=Milestone.MITIGATED,
    )
    _entry(
        incident,
        at("15:15"),
        Event.COMMUNICATION,
        "Support wrote to the affected customers with the link to the HTML invoice view; "
        "PDFs re-rendered once the rollback finished.",
        by=cast.jordan,
        source=f"{CHAT}/C0SUPPORT/p1699871",
    )
    _entry(
        incident,
        _clock(next_day, "11:30"),
        Event.ACTION,
        "Deployed billing-web release 413: pdf-renderer 3.0 with the Noto font family "
        "bundled into the image and the new regression test (AI-001).",
        by=cast.marcus,
        source="deploy billing-web#413",
        milestone=Milestone.DEPLOYED,
    )
    _entry(
        incident,
        _clock(next_day, "12:30"),
        Event.FACT,
        "All 37 failed invoices re-render on release 413; render errors 0 for an hour.",
        by=cast.marcus,
        source=f"{DASHBOARDS}/billing-pdf",
        milestone=Milestone.VERIFIED,
    )
    _entry(
        incident,
        _clock(next_day, "12:35"),
        Event.DECISION,
        "Resolved; pulse postmortem to follow.",
        by=cast.marcus,
        milestone=Milestone.RESOLVED,
    )
    for stage, hhmm in (
        (Stage.DETECTION, "14:55"),
        (Stage.CONTAIN, "15:15"),
        (Stage.REPAIR, "11:30"),
        (Stage.POST_RESOLUTION, "12:40"),
    ):
        when = _clock(day if stage in (Stage.DETECTION, Stage.CONTAIN) else next_day, hhmm)
        _tick(incident, stage, by=cast.marcus, at=when)
    # Stability is judged after a day: the pulse's own rule.
    incident.checklist.filter(stage=Stage.POST_RESOLUTION, position=0).update(
        done_at=_clock(day + dt.timedelta(days=2), "12:40")
    )
    incident.state = Incident.State.CLOSED
    incident.save(update_fields=["state", "updated_at"])

    _scope(
        incident,
        (
            "B2B customers with non-Latin company names",
            "invoice-renderer",
            "PDF font bundle",
            "renderer image 2.14",
            "About 310 accounts; Latin names unaffected.",
        ),
    )
    created = _clock(next_day, "15:00")
    pm = _start(
        incident,
        Kind.PULSE,
        facilitator=cast.marcus,
        at=created,
        state=Postmortem.State.CLOSED,
        finalized_at=_clock(day + dt.timedelta(days=3), "10:00"),
    )
    # Closed with two checks overridden, as the facilitator recorded it.
    _override(
        pm,
        "checkpoint_check",
        "One responder worked it end to end inside the working day: no shift change to hand over.",
        by=cast.marcus,
        at=_clock(day + dt.timedelta(days=3), "09:50"),
    )
    _override(
        pm,
        "action_check",
        "Who owns the renderer image goes to the platform-ownership review (ENG-88); "
        "no separate action here.",
        by=cast.marcus,
        at=_clock(day + dt.timedelta(days=3), "09:55"),
    )
    _sections(
        pm,
        {
            "summary": (
                "A PDF library upgrade stopped bundling fallback fonts, so invoices for "
                "companies with non-Latin names failed to render for 5 hours until we "
                "rolled back."
            ),
            "root_cause": _md(
                "**Technical:** pdf-renderer 3.0 uses system fonts instead of its bundled "
                "ones, and our slim container image has Latin fonts only. Any glyph outside "
                "Latin-1 raised `GlyphMissing`, which the invoice view turned into a 500.",
                "",
                "**Human + process (as system conditions):** the font change was listed "
                "under *Packaging* in the library's changelog. Our dependency-upgrade "
                "checklist asks for a green test run, and every invoice fixture uses an "
                "ASCII company name, so the suite stayed green.",
            ),
            "what_worked": _md(
                "- Support attached the failing invoice id to the ticket, so it reproduced "
                "in 12 minutes.",
                "- Rollback to release 411 was one command and took 4 minutes.",
                "- The HTML invoice view gave customers a fallback while we fixed it.",
            ),
            "what_failed": _md(
                "- No alert on PDF render errors: 100% failure for a small set of customers "
                "stayed far below the service-wide 5xx alert.",
                "- Test fixtures had only ASCII company names.",
                "- Nobody owned the renderer's container image: Payments owns the code, "
                "Platform the base image.",
            ),
            "prevent_repeat": _md(
                "- Code: regression test renders invoices for names in Cyrillic, Greek, "
                "CJK and Arabic scripts (AI-001, done).",
                "- Automation: alert on render errors per template (AI-002).",
                "- Process: upgrades of rendering libraries diff the image's font list (AI-003).",
            ),
        },
        by=cast.marcus,
        at=created,
    )
    trigger, gap = _factors(
        pm,
        (
            Layer.TECHNICAL_TRIGGER,
            Factor.VERIFIED,
            "pdf-renderer 3.0 relies on system fonts; the slim image has Latin fonts only.",
        ),
        (
            Layer.DETECTION_GAP,
            Factor.VERIFIED,
            "Render errors are not alerted on; a failure bounded to a few customers is "
            "invisible in the service-wide error rate.",
        ),
        (
            Layer.RESPONSIBILITY_GAP,
            Factor.CANDIDATE,
            "The renderer image sits between Payments (code) and Platform (base image); "
            "neither reviews font packages. To confirm with both teams.",
        ),
        by=cast.marcus,
    )[:2]
    _actions(
        pm,
        {
            "title": "Regression test: render invoices for company names in Cyrillic, "
            "Greek, CJK and Arabic scripts",
            "owner": cast.marcus,
            "priority": Priority.P1,
            "due_date": today - dt.timedelta(days=27),
            "status": Status.DONE,
            "category": Category.PREVENT,
            "verification_signal": "Done when the test fails on release 412's image "
            "and passes on release 413's.",
            "verified_by": cast.priya,
            "verified_at": _clock(today - dt.timedelta(days=29), "16:20"),
            "tracking_url": f"{TRACKER}/PAY-1187",
            "factor": trigger,
        },
        {
            "title": "Alert when PDF render errors exceed 1% of renders of any template "
            "for 10 minutes",
            "owner": cast.priya,
            "priority": Priority.P2,
            "due_date": today - dt.timedelta(days=12),
            "status": Status.OPEN,
            "category": Category.DETECT,
            "verification_signal": "Done when rendering a template with a missing glyph "
            "in staging pages the Payments on-call within 15 minutes.",
            "tracking_url": f"{TRACKER}/PLAT-902",
            "factor": gap,
        },
        {
            "title": "Add 'diff the image's font and locale packages' to the "
            "dependency-upgrade checklist for rendering libraries",
            "owner_team": "Payments",
            "priority": Priority.P3,
            "due_date": today + dt.timedelta(days=5),
            "status": Status.OPEN,
            "category": Category.LEARN,
            "verification_signal": "Done when the checklist item exists and the next "
            "renderer upgrade PR links its font diff.",
            "tracking_url": f"{TRACKER}/PAY-1190",
        },
    )


# --- review: a queue backlog, final, with a done and a won't-do action -----------


def _review_incident(cast: Cast, *, today: dt.date) -> None:
    day = today - dt.timedelta(days=19)
    at = partial(_clock, day)
    incident = _declare(
        title="Order confirmation emails delayed up to 47 minutes",
        severity=Incident.Severity.SEV3,
        impact_category=Incident.ImpactCategory.PERFORMANCE,
        detection_method=Incident.DetectionMethod.CUSTOMER,
        declared_by=cast.priya,
        responders=[cast.priya, cast.tomas, cast.jordan],
        summary=(
            "Order confirmation and password-reset emails waited behind a marketing "
            "campaign on a shared queue; the slowest arrived 47 minutes late. None was lost."
        ),
        started_at=at("08:40"),
        detected_at=at("09:18"),
        started=(
            "Weekly marketing campaign enqueues 1.2 M emails on the shared `email` queue; "
            "transactional emails now wait behind it.",
            "Campaign scheduler",
            "https://jobs.example.com/runs/campaign-weekly-2291",
        ),
        detected=(
            "Support reports 14 tickets 'no order confirmation'; oldest message on the "
            "email queue is 38 minutes old.",
            "Support (Jordan Lee)",
            "https://support.example.com/views/incoming?tag=no-confirmation",
        ),
    )
    _roles(
        incident,
        (Role.COMMANDER, cast.priya, at("09:22"), None),
        (Role.OPERATIONS, cast.tomas, at("09:22"), None),
        (Role.COMMUNICATIONS, cast.jordan, at("09:22"), None),
        by=cast.priya,
    )
    _entry(
        incident,
        at("09:25"),
        Event.DECISION,
        "SEV-3: delivery is delayed, nothing is lost; password resets are delayed too. "
        "Pause the campaign so transactional mail reaches the head of the queue.",
        by=cast.priya,
        milestone=Milestone.TRIAGED,
    )
    _entry(
        incident,
        at("09:31"),
        Event.ACTION,
        "`jobs pause campaign-weekly` — campaign sender paused; 610 k campaign messages "
        "left in the queue behind the transactional ones.",
        by=cast.tomas,
        source=f"{CHAT}/C0INC-email/p1700641",
    )
    _status(
        incident,
        at("09:33"),
        by=cast.jordan,
        next_in=dt.timedelta(hours=1),
        known="Order confirmation emails are arriving up to 40 minutes late; none are lost.",
        unknown="How long the backlog takes to drain with the campaign paused.",
        impact="Customers who ordered since 08:40 wait for confirmations and password resets.",
        mitigation="Campaign paused; transactional mail goes first.",
    )
    _entry(
        incident,
        at("09:58"),
        Event.FACT,
        "Oldest transactional email under 2 minutes; the confirmation backlog has drained.",
        by=cast.tomas,
        source=f"{DASHBOARDS}/email-queue",
        milestone=Milestone.MITIGATED,
    )
    _entry(
        incident,
        at("10:10"),
        Event.COMMUNICATION,
        "Support macro sent to the 14 ticket holders: confirmations were delayed, "
        "orders are confirmed, no action needed.",
        by=cast.jordan,
    )
    _entry(
        incident,
        at("10:15"),
        Event.DECISION,
        "Resolved: campaign resumed at half rate; queue age stays under 1 minute.",
        by=cast.priya,
        milestone=Milestone.RESOLVED,
    )
    _tick(incident, Stage.DETECTION, by=cast.priya, at=at("09:25"))
    _tick(incident, Stage.CONTAIN, [0, 1, 2, 3, 4], by=cast.priya, at=at("09:40"))
    _tick(incident, Stage.REPAIR, [0, 1], by=cast.tomas, at=at("10:00"))
    _tick(incident, Stage.POST_RESOLUTION, [3, 4], by=cast.priya, at=at("10:30"))

    _scope(
        incident,
        (
            "Customers placing orders or resetting passwords",
            "notifications-queue",
            "shared email queue",
            "marketing campaign 11-05",
            "Emails delayed up to 47 minutes; none lost.",
        ),
    )
    created = at("11:00")
    pm = _start(
        incident,
        Kind.REVIEW,
        facilitator=cast.priya,
        at=created,
        state=Postmortem.State.FINAL,
        review_meeting_at=_clock(day + dt.timedelta(days=1), "15:00"),
        finalized_at=_clock(day + dt.timedelta(days=2), "09:30"),
    )
    _sections(
        pm,
        {
            "executive_summary": (
                "For 1 h 18 m, order confirmation and password-reset emails waited behind "
                "a 1.2 M-message marketing campaign on a shared queue; the slowest arrived "
                "47 minutes late and none was lost. Pausing the campaign drained the "
                "backlog in 27 minutes. Transactional and bulk email need separate queues."
            ),
            "root_cause": (
                "Transactional and bulk email share one first-in first-out queue and one "
                "worker pool. The weekly campaign enqueues 1.2 M messages in about three "
                "minutes; at the pool's 9,000 messages a minute, anything behind it waits "
                "up to two hours. The workers autoscale on CPU, which stayed at 35% because "
                "sending is I/O-bound, so the pool never grew."
            ),
            "went_well": _md(
                "1. Support recognised the pattern after three tickets and posted it in "
                "#incidents with the ticket links.",
                "2. Pausing the campaign was a documented one-line command.",
                "3. The queue is durable: the fix was about ordering, not recovery.",
            ),
            "could_improve": _md(
                "1. No alert on queue age: customers told us, 38 minutes in. → AI-001",
                "2. Autoscaling on CPU cannot see an I/O-bound backlog. → AI-003",
                "3. Bulk and transactional mail share a queue, so any large send delays "
                "password resets. → AI-004",
                "4. We first suspected the email provider; it was healthy, so a second "
                "provider would not have helped. → AI-002 (won't do, with the reason)",
                "5. On-call had no view of the campaign calendar. → AI-005",
            ),
            "lessons": _md(
                "1. A queue's health is the age of its oldest message, not its workers' CPU.",
                "2. A shared queue turns a marketing schedule into a customer-facing dependency.",
            ),
            "prevention": (
                "Separate queues with their own workers and priority for transactional "
                "mail (AI-004), autoscaling on queue age (AI-003) and a queue-age alert "
                "(AI-001, done). The class of problem is any shared FIFO with a bulk "
                "producer: the webhook and export queues are next to check."
            ),
        },
        by=cast.priya,
        at=created,
    )
    _impact(
        pm,
        {
            "affected_users": "≈18,400 customers got order confirmations 10-47 min late; "
            "≈2,100 password-reset emails delayed",
            "revenue_impact": "None measured; 64 support contacts (≈6 agent-hours)",
            "slo_budget_consumed": "31% of the 30-day budget for 'transactional email sent "
            "within 5 min' (target 99%)",
        },
    )
    shared, blind, _calendar = _factors(
        pm,
        (
            Layer.TECHNICAL_TRIGGER,
            Factor.VERIFIED,
            "Transactional and bulk email share one FIFO queue and one worker pool.",
        ),
        (
            Layer.DETECTION_GAP,
            Factor.VERIFIED,
            "No alert on queue age; workers autoscale on CPU, which an I/O-bound backlog "
            "does not raise.",
        ),
        (
            Layer.ORGANIZATIONAL,
            Factor.VERIFIED,
            "Campaign sizes and times are set in marketing tooling that on-call cannot see.",
        ),
        by=cast.priya,
    )
    _actions(
        pm,
        {
            "title": "Alert when the oldest message on any email queue is older than 5 minutes",
            "owner": cast.priya,
            "priority": Priority.P1,
            "due_date": today - dt.timedelta(days=15),
            "status": Status.DONE,
            "category": Category.DETECT,
            "verification_signal": "Done when a synthetic 10-minute backlog in staging "
            "pages the on-call within 6 minutes.",
            "verified_by": cast.elena,
            "verified_at": _clock(today - dt.timedelta(days=14), "11:05"),
            "tracking_url": f"{TRACKER}/PLAT-877",
            "factor": blind,
        },
        {
            "title": "Add a second email provider for failover",
            "owner": cast.tomas,
            "priority": Priority.P3,
            "due_date": today - dt.timedelta(days=10),
            "status": Status.WONT_DO,
            "wont_do_reason": "The provider accepted every message without delay; the "
            "backlog was in our own queue. A second provider would not have shortened "
            "this incident. AI-004 addresses the cause.",
            "category": Category.MITIGATE,
            "verification_signal": "Done when email fails over to the second provider "
            "in a staging drill.",
        },
        {
            "title": "Autoscale email workers on queue age instead of CPU",
            "owner_team": "Platform",
            "priority": Priority.P1,
            "due_date": today - dt.timedelta(days=6),
            "status": Status.OPEN,
            "category": Category.MITIGATE,
            "verification_signal": "Done when a 200 k-message burst in staging scales "
            "the pool out within 2 minutes and the oldest message stays under 5 minutes.",
            "tracking_url": f"{TRACKER}/PLAT-878",
            "factor": blind,
        },
        {
            "title": "Split transactional and bulk email into separate queues with their "
            "own workers",
            "owner": cast.tomas,
            "priority": Priority.P1,
            "due_date": today - dt.timedelta(days=2),
            "status": Status.IN_PROGRESS,
            "category": Category.PREVENT,
            "verification_signal": "Done when a full campaign send in staging leaves "
            "password-reset delivery p99 under 60 seconds.",
            "tracking_url": f"{TRACKER}/NOTIF-341",
            "factor": shared,
        },
        {
            "title": "Show campaign sends over 100 k messages on the on-call change calendar",
            "owner": cast.jordan,
            "priority": Priority.P3,
            "due_date": today + dt.timedelta(days=20),
            "status": Status.OPEN,
            "category": Category.LEARN,
            "verification_signal": "Done when next week's campaign appears on the "
            "calendar with its size, without anyone adding it by hand.",
            "tracking_url": f"{TRACKER}/NOTIF-342",
            "factor": _calendar,
        },
    )


# --- hotfix: CHG-YYYYMMDD-login-token-refresh, in review --------------------------


def _hotfix_incident(cast: Cast, *, today: dt.date) -> None:
    day = today - dt.timedelta(days=4)
    at = partial(_clock, day)
    change_id = f"CHG-{day:%Y%m%d}-login-token-refresh"
    log_root = f"{settings.EXPORT_LOG_ROOTS[0]}/{change_id}"
    deploy_log = f"{log_root}/deployments/Deploy-{change_id}.md"
    changes = f"../Planning/Changes/{change_id}"
    incident = _declare(
        title="Mobile users signed out when two app processes refresh at once",
        severity=Incident.Severity.SEV2,
        impact_category=Incident.ImpactCategory.PARTIAL,
        detection_method=Incident.DetectionMethod.CUSTOMER,
        declared_by=cast.dana,
        responders=[cast.dana, cast.marcus, cast.jordan, cast.samir, cast.elena],
        is_hotfix=True,
        change_id=change_id,
        summary=(
            "After auth-service 5.12, about 1 in 6 mobile token refreshes signed the user "
            "out; they had to sign in again. Fixed by hotfix 5.12.1."
        ),
        started_at=at("09:10"),
        detected_at=at("11:40"),
        started=(
            "auth-service 5.12 deployed: refresh-token rotation now revokes the session "
            "when a refresh token is presented twice.",
            "Deploy pipeline",
            "deploy auth-service#5.12",
        ),
        detected=(
            "Issue detected by support: 41 'signed out again' tickets in 2 hours; "
            "forced sign-outs at 17% of mobile refreshes (baseline 0.2%).",
            "Support (Jordan Lee)",
            f"{DASHBOARDS}/auth-sessions",
        ),
    )
    _roles(
        incident,
        (Role.COMMANDER, cast.dana, at("11:48"), None),
        (Role.OPERATIONS, cast.marcus, at("11:48"), None),
        (Role.COMMUNICATIONS, cast.jordan, at("11:48"), None),
        by=cast.dana,
    )
    _entry(
        incident,
        at("11:52"),
        Event.HYPOTHESIS,
        "The apps refresh from the foreground and from background fetch; when both wake "
        "near expiry they send the same refresh token and the second trips reuse detection.",
        by=cast.marcus,
    )
    _entry(
        incident,
        at("12:05"),
        Event.DECISION,
        "Triaged as hotfix (is_hotfix: true): a security control misfires for 1 in 6 "
        "mobile refreshes and the next release train is 6 days out.",
        by=cast.dana,
        milestone=Milestone.TRIAGED,
    )
    _entry(
        incident,
        at("12:18"),
        Event.ACTION,
        "Flag `refresh_reuse_detection` set to log-only: sign-outs stop. Replay detection "
        "now alerts without revoking, until the hotfix ships.",
        by=cast.marcus,
        source="https://flags.example.com/audit/refresh_reuse_detection",
        milestone=Milestone.MITIGATED,
    )
    _status(
        incident,
        at("12:25"),
        by=cast.jordan,
        next_in=dt.timedelta(hours=1),
        known="Mobile users were being signed out at token refresh; a flag change has stopped it.",
        unknown="How many users signed out more than once.",
        impact="Mobile app users since 09:10 had to sign in again; web is unaffected.",
        mitigation="Reuse detection in log-only mode; hotfix in development.",
    )
    _entry(
        incident,
        at("12:30"),
        Event.ACTION,
        f"Fix development started on hotfix/{change_id}: accept the previous refresh "
        "token once, within 30 s of rotation, from the same device id.",
        by=cast.marcus,
    )
    _entry(
        incident,
        at("14:05"),
        Event.ACTION,
        "Code review completed: PR #2291 approved by Identity and Security "
        "(Samir Haddad), with the concurrent-refresh regression test.",
        by=cast.marcus,
        source="https://git.example.com/identity/auth-service/pull/2291",
    )
    _entry(
        incident,
        at("15:30"),
        Event.ACTION,
        "Deployed to production: auth-service 5.12.1; `refresh_reuse_detection` back to enforce.",
        by=cast.marcus,
        source=deploy_log,
        milestone=Milestone.DEPLOYED,
    )
    _entry(
        incident,
        at("17:30"),
        Event.FACT,
        "Production verified stable: forced sign-outs 0.2% of refreshes for 2 hours with "
        "enforcement on; no reuse alerts from legitimate clients.",
        by=cast.dana,
        source=f"{DASHBOARDS}/auth-sessions",
        milestone=Milestone.VERIFIED,
    )
    _entry(
        incident,
        at("17:35"),
        Event.DECISION,
        "Resolved; hotfix postmortem opened under the change folder.",
        by=cast.dana,
        milestone=Milestone.RESOLVED,
    )
    _tick(incident, Stage.DETECTION, by=cast.dana, at=at("11:55"))
    _tick(incident, Stage.CONTAIN, by=cast.marcus, at=at("12:25"))
    _tick(incident, Stage.REPAIR, by=cast.marcus, at=at("15:40"))
    _tick(incident, Stage.POST_RESOLUTION, [0, 2, 3, 4], by=cast.dana, at=at("17:40"))

    created = at("18:00")
    pm = _start(
        incident,
        Kind.HOTFIX,
        facilitator=cast.dana,
        at=created,
        log_root=log_root,
        state=Postmortem.State.IN_REVIEW,
        review_meeting_at=_clock(day + dt.timedelta(days=2), "11:00"),
    )
    _sections(
        pm,
        {
            "summary": (
                "About 1 in 6 mobile token refreshes signed the user out for 6 h 20 m "
                "(3 h 08 m until the log-only mitigation); users had to sign in again."
            ),
            "what_happened": _md(
                f"Release 5.12 of auth-service ({day:%Y-%m-%d} 09:10 {_zone()}) made "
                "refresh-token rotation strict: presenting a refresh token that had "
                "already been exchanged revoked the session, the standard defence against "
                "a stolen token being replayed.",
                "",
                "The mobile apps refresh from two places, the foreground app and the "
                "background-fetch process. When both woke near the access token's expiry "
                "they sent the same refresh token within a few hundred milliseconds. The "
                "first exchange succeeded; the second looked like a replay and signed the "
                "user out on every device.",
                "",
                "Support saw the pattern at 11:40. At 12:18 the `refresh_reuse_detection` "
                "flag went to log-only, which stopped the sign-outs but left replay "
                "detection alerting-only. Hotfix 5.12.1 accepts the previous token once "
                "within 30 seconds of rotation from the same device id; enforcement was "
                "back on at 15:30.",
            ),
            "why_hotfix": _md(
                "**Change intent** (`00-change-intent.md`, `is_hotfix: true`): restore "
                "enforced refresh-token reuse detection without signing out mobile users "
                "whose two app processes refresh at once. Scope: the auth-service token "
                "exchange only; no app release needed.",
                "",
                "- The mitigation left replay detection alerting-only in production; the "
                "next release train was 6 days away.",
                "- The fix is small and server-side (one grace-window check plus tests) "
                "and went through the normal review and deploy path the same day.",
            ),
            "customer_impact": _md(
                "- ≈52,000 mobile users signed out at least once; ≈9,800 more than once.",
                "- Users with two-factor sign-in had to enter a code each time.",
                "- Web sessions were unaffected: the browser refreshes from one place.",
            ),
            "business_impact": _md(
                "- 41 support tickets; mobile checkout conversion 3.1% below the same "
                "weekday during the window.",
                "- Replay detection ran alerting-only for 3 h 12 m between mitigation and "
                "hotfix; Security reviewed the alerts from that window and found none "
                "from unknown devices.",
            ),
            "went_well": _md(
                "- ✅ Support linked the tickets to the release within 2 hours and "
                "attached device types, which pointed at the mobile apps.",
                "- ✅ The change was behind a flag, so mitigation took 13 minutes "
                "without a deploy.",
                "- ✅ The hotfix went through the normal review with Security, not around "
                "it, and shipped with its regression test.",
            ),
            "could_improve": _md(
                "- ⚠️ Gap: no alert on forced sign-outs; detection took 2 h 30 m and came "
                "from customers (AI-002).",
                "- ⚠️ Gap: the flag went from off to enforce for every client at once (AI-003).",
                "- ⚠️ Missing test: nothing exercised two concurrent refreshes with one "
                "token (AI-001, done).",
                "- ⚠️ Gap: the design review had no one from the mobile teams (AI-004).",
            ),
            "lessons": _md(
                "- A security control that can fire on legitimate traffic needs the same "
                "gradual rollout as a feature.",
                "- How clients really behave (two processes sharing one credential) "
                "belongs in the server's tests.",
            ),
            "related_artifacts": _md(
                f"- Change Intent: [[{changes}/00-change-intent]]",
                f"- Triage: [[{changes}/01-triage]]",
                f"- Impact Analysis: [[{changes}/02-impact-analysis]]",
                f"- Deployment Log: `{deploy_log}`",
                f"- QA Reports: `{log_root}/qa/QA-Report-U01.md`",
            ),
        },
        by=cast.dana,
        at=created,
    )
    _impact(
        pm,
        {
            "duration_in_production": "6 h 20 m (5.12 to 5.12.1); sign-outs stopped after 3 h 08 m",
            "affected_users": "≈52,000 mobile users; ≈61,000 forced sign-outs",
            "error_rate": "Forced sign-outs at 17% of mobile refreshes (baseline 0.2%); "
            "API availability unaffected",
        },
    )
    trigger, rollout, detection, _review = _factors(
        pm,
        (
            Layer.TECHNICAL_TRIGGER,
            Factor.VERIFIED,
            "Strict rotation revoked the session on any reuse of a refresh token, "
            "including two legitimate refreshes in flight from the same device.",
        ),
        (
            Layer.ROLLOUT_CONTROL_GAP,
            Factor.VERIFIED,
            "The flag defaulted to enforce for every client at once instead of ramping "
            "per platform.",
        ),
        (
            Layer.DETECTION_GAP,
            Factor.VERIFIED,
            "No alert on the forced sign-out rate; support tickets were the first signal.",
        ),
        (
            Layer.RESPONSIBILITY_GAP,
            Factor.CANDIDATE,
            "Token policy is owned by Identity, refresh behaviour by the app teams; the "
            "design review had no mobile reviewer.",
        ),
        by=cast.dana,
    )
    _actions(
        pm,
        {
            "title": "Regression test: two concurrent refreshes with one token both "
            "succeed within the grace window; a third after it revokes",
            "owner": cast.marcus,
            "priority": Priority.P0,
            "due_date": today - dt.timedelta(days=3),
            "status": Status.DONE,
            "category": Category.PREVENT,
            "verification_signal": "Done when the test fails against 5.12 and passes "
            "against 5.12.1 in CI.",
            "verified_by": cast.samir,
            "verified_at": _clock(today - dt.timedelta(days=3), "10:15"),
            "tracking_url": f"{TRACKER}/AUTH-231",
            "factor": trigger,
        },
        {
            "title": "Alert when forced sign-outs exceed 1% of refreshes on any platform "
            "for 10 minutes",
            "owner": cast.marcus,
            "priority": Priority.P1,
            "due_date": today - dt.timedelta(days=1),
            "status": Status.IN_PROGRESS,
            "category": Category.DETECT,
            "verification_signal": "Done when replaying a concurrent-refresh burst in "
            "staging with the grace window off pages Identity on-call within 12 minutes.",
            "tracking_url": f"{TRACKER}/AUTH-232",
            "factor": detection,
        },
        {
            "title": "Ramp security-policy flags per platform (5% → 25% → 100%) with an "
            "automatic hold on the forced sign-out alert",
            "owner_team": "Identity",
            "priority": Priority.P1,
            "due_date": today + dt.timedelta(days=4),
            "status": Status.OPEN,
            "category": Category.MITIGATE,
            "verification_signal": "Done when a policy flag in staging stops at 5% by "
            "itself when the sign-out alert fires.",
            "tracking_url": f"{TRACKER}/AUTH-233",
            "factor": rollout,
        },
        {
            "title": "Add a mobile reviewer to the auth design-review checklist",
            "owner": cast.elena,
            "priority": Priority.P2,
            "due_date": today + dt.timedelta(days=10),
            "status": Status.OPEN,
            "category": Category.LEARN,
            "verification_signal": "Done when the next two auth design reviews list a "
            "mobile reviewer's sign-off.",
            "tracking_url": f"{TRACKER}/ENG-88",
            "factor": _review,
        },
    )


# --- security track: restricted to its two named responders ----------------------


def _security_incident(cast: Cast, *, today: dt.date) -> None:
    day = today - dt.timedelta(days=1)
    at = partial(_clock, day)
    incident = _declare(
        title="Support-tool session cookies written to application logs",
        severity=Incident.Severity.SEV2,
        impact_category=Incident.ImpactCategory.SECURITY,
        detection_method=Incident.DetectionMethod.AUTOMATED,
        declared_by=cast.samir,
        responders=[cast.samir, cast.dana],
        restricted=True,
        summary=(
            "Request debug logging in the support tool wrote agents' session cookies to "
            "the central log store for 26 hours. Logs preserved, sessions revoked; "
            "access review in progress."
        ),
        started_at=_clock(day - dt.timedelta(days=1), "07:05"),
        detected_at=at("09:12"),
        started=(
            "support-tool release 88 turns on request debug logging, including the Cookie header.",
            "Deploy pipeline",
            "deploy support-tool#88",
        ),
        detected=(
            "Secret scanner on the log pipeline flags 212 `sessionid=` values in "
            "support-tool logs.",
            "Log secret scanner",
            "https://alerts.example.com/secrets/7731",
        ),
    )
    _roles(
        incident,
        (Role.COMMANDER, cast.samir, at("09:18"), None),
        (Role.OPERATIONS, cast.dana, at("09:18"), None),
        by=cast.samir,
    )
    _entry(
        incident,
        at("09:20"),
        Event.DECISION,
        "Security track: restricted incident, responders Samir Haddad and Dana Demo. "
        "Preserve the logs before anything is deleted.",
        by=cast.samir,
        milestone=Milestone.TRIAGED,
    )
    _entry(
        incident,
        at("09:31"),
        Event.ACTION,
        "Snapshotted the affected log indices to the evidence bucket (read-only, "
        "90-day retention) and recorded their checksums.",
        by=cast.dana,
        source=f"{TRACKER}/SEC-412",
    )
    _entry(
        incident,
        at("09:44"),
        Event.ACTION,
        "Revoked every support-tool session (147 agents signed out) and turned request "
        "debug logging off by config.",
        by=cast.dana,
        source="deploy support-tool-config#213",
        milestone=Milestone.MITIGATED,
    )
    _entry(
        incident,
        at("10:05"),
        Event.FACT,
        "Log-store access log: 6 accounts queried support-tool logs in the window, all "
        "Platform on-call; each query is being reviewed.",
        by=cast.samir,
    )
    _entry(
        incident,
        at("10:12"),
        Event.HYPOTHESIS,
        "No session was replayed: the logged session ids show no requests from outside "
        "the support network. To verify against the full access log.",
        by=cast.samir,
    )
    _entry(
        incident,
        at("10:20"),
        Event.NOTE,
        "This timeline records operational facts only. Whether anyone must be notified "
        "is assessed by Legal and Privacy in their own record.",
        by=cast.samir,
    )
    _status(
        incident,
        at("10:30"),
        by=cast.samir,
        next_in=dt.timedelta(hours=1),
        known="Support-tool session cookies were logged for 26 hours; all sessions are "
        "revoked and the logging is off.",
        unknown="Whether any logged session was used by anyone other than its agent.",
        impact="147 support agents signed out once; no customer-facing impact known.",
        mitigation="Evidence preserved; access-log review in progress.",
    )
    _scope(
        incident,
        (
            "Support agents (147)",
            "support-tool",
            "central log store",
            "support-tool release 88",
            "Sessions revoked at 09:44.",
        ),
        (
            "Customers whose tickets agents handled",
            "unknown",
            "support-tool",
            "support-tool release 88",
            "Depends on the access-log review: unknown until it is done.",
        ),
    )
    _tick(incident, Stage.DETECTION, by=cast.samir, at=at("09:20"))
    _tick(incident, Stage.CONTAIN, [0, 2, 4], by=cast.dana, at=at("09:45"))


# --- full: the SEV-1 outage with the 25-entry timeline, draft postmortem ---------


def _outage_incident(cast: Cast, *, today: dt.date) -> None:
    day = today - dt.timedelta(days=1)
    at = partial(_clock, day)
    dana, priya, marcus, jordan, tomas = cast.dana, cast.priya, cast.marcus, cast.jordan, cast.tomas
    chat = f"{CHAT}/C0INC-checkout"
    incident = _declare(
        title="Checkout API failing for nearly half of requests after a connection-pool "
        "config change",
        severity=Incident.Severity.SEV1,
        impact_category=Incident.ImpactCategory.OUTAGE,
        detection_method=Incident.DetectionMethod.MONITORING,
        declared_by=dana,
        responders=[dana, priya, marcus, jordan, tomas, cast.elena],
        summary=(
            "For 39 minutes about 45% of checkout attempts failed in every region after "
            "a config change cut the checkout API's database connection pool from 100 "
            "to 20 per pod."
        ),
        started_at=at("14:02"),
        detected_at=at("14:09"),
        started=(
            "Checkout 5xx rate climbs from 0.1% to 45% within two minutes; p95 latency 8.5 s.",
            "System",
            f"{DASHBOARDS}/checkout-api",
        ),
        detected=(
            "Alert CheckoutApi5xxHigh fired (5xx above 5% for 5 minutes) and paged the "
            "Platform on-call.",
            "Monitoring",
            "alert ALR-88213",
        ),
    )
    # Two entries from the declaration and 23 here (one before impact): 25 in all.
    _entry(
        incident,
        at("13:58"),
        Event.ACTION,
        "Config change CFG-4821 rolled out to all 12 checkout-api pods: payments-db pool "
        "`max_size` 100 → 20 (connection-budget work ahead of the database upgrade).",
        by=tomas,
        actor="Config pipeline",
        source="deploy CFG-4821",
    )
    _entry(
        incident,
        at("14:11"),
        Event.COMMUNICATION,
        "Page acknowledged; opened #inc-checkout-api with the alert and dashboard links.",
        by=priya,
        source=f"{chat}/p1700916",
    )
    _roles(
        incident,
        (Role.COMMANDER, dana, at("14:14"), at("15:00")),
        (Role.OPERATIONS, priya, at("14:14"), None),
        (Role.COMMUNICATIONS, jordan, at("14:14"), None),
        (Role.SCRIBE, tomas, at("14:14"), None),
        (Role.COMMANDER, marcus, at("15:00"), None),
        by=dana,
    )
    _entry(
        incident,
        at("14:14"),
        Event.ROLE_CHANGE,
        "Roles: incident commander Dana Demo, operations lead Priya Raman, "
        "communications lead Jordan Lee, scribe Tomás García.",
        by=dana,
    )
    _entry(
        incident,
        at("14:15"),
        Event.DECISION,
        "Declared SEV-1: checkout failing for nearly half of requests in every region. "
        "Status updates every 30 minutes.",
        by=dana,
        milestone=Milestone.TRIAGED,
    )
    _entry(
        incident,
        at("14:16"),
        Event.HYPOTHESIS,
        "A payments-db failover left stale connections in every pod's pool? Checking the "
        "database event log.",
        by=priya,
    )
    _entry(
        incident,
        at("14:17"),
        Event.FACT,
        "Every checkout-api pod logs `Connection pool exhausted, size=20, available=0`. "
        "payments-db is healthy: CPU 22%, 240 of 1,000 connections, no failover in its "
        "event log for 24 hours.",
        by=priya,
        source="https://logs.example.com/checkout-api?q=pool+exhausted",
    )
    _entry(
        incident,
        at("14:19"),
        Event.HYPOTHESIS,
        "CFG-4821 is the trigger: 20 connections per pod cannot serve peak concurrency "
        "(about 35 queries in flight per pod at this traffic).",
        by=marcus,
    )
    _status(
        incident,
        at("14:23"),
        by=jordan,
        next_in=dt.timedelta(minutes=30),
        known="Checkout is failing for about 45% of attempts in all regions since 14:02; "
        "a config change at 13:58 is the likely trigger.",
        unknown="Whether any payment was charged without an order being created.",
        impact="Shoppers see 'Payment could not be processed'; retries often succeed.",
        mitigation="Preparing a rollback of the config change.",
    )
    _entry(
        incident,
        at("14:24"),
        Event.DECISION,
        "Roll back CFG-4821 rather than raise the pool in place: the previous config is "
        "the last known good state and a rollback is one pipeline run.",
        by=dana,
    )
    _entry(
        incident,
        at("14:26"),
        Event.ACTION,
        "`deployctl config rollback checkout-api --to CFG-4820`",
        by=priya,
        source="deploy CFG-4820-rollback",
    )
    _entry(
        incident,
        at("14:29"),
        Event.COMMUNICATION,
        "Status page: 'Checkout degraded — we are rolling back a configuration change.'",
        by=jordan,
        source="https://status.example.com/incidents/checkout-degraded",
    )
    _entry(
        incident,
        at("14:34"),
        Event.FACT,
        "Rollback applied on 6 of 12 pods; the other 6 are stuck terminating: requests "
        "waiting up to 30 s for a connection hold their drain open.",
        by=priya,
        source=f"{chat}/p1700925",
    )
    _entry(
        incident,
        at("14:37"),
        Event.ACTION,
        "`kubectl delete pod -l app=checkout-api,config=CFG-4821 --grace-period=5`",
        by=priya,
        source=f"{chat}/p1700927",
    )
    _entry(
        incident,
        at("14:41"),
        Event.FACT,
        "All 12 pods on CFG-4820; 5xx under 1%, checkout success 98.7% and rising.",
        by=tomas,
        actor="Monitoring",
        source=f"{DASHBOARDS}/checkout-api",
        milestone=Milestone.MITIGATED,
    )
    _status(
        incident,
        at("14:45"),
        by=jordan,
        next_in=dt.timedelta(minutes=30),
        known="The config change is rolled back and checkout has recovered since 14:41.",
        unknown="Whether the pool size alone explains the failure; a load test is running.",
        impact="None since 14:41. About 45% of checkout attempts failed from 14:02 to 14:41.",
        mitigation="Rolled back; watching pool utilisation.",
    )
    _entry(
        incident,
        at("14:52"),
        Event.FACT,
        "Staging load test at production peak: pool size 20 exhausts in 90 seconds; "
        "with 100, peak pool utilisation is 46%. Confirms the trigger.",
        by=marcus,
        source="https://ci.example.com/load-tests/5512",
    )
    _entry(
        incident,
        at("15:00"),
        Event.ROLE_CHANGE,
        "Incident commander: Marcus Okafor (was Dana Demo): shift change.",
        by=dana,
    )
    Checkpoint.objects.create(
        incident=incident,
        recorded_at=at("15:00"),
        state="Mitigated: all 12 pods on the previous config (CFG-4820) since 14:41; "
        "checkout success 99.8%.",
        hypothesis="CFG-4821's pool size of 20 is below peak concurrency per pod (about "
        "35); the staging load test reproduces it.",
        customer_impact="None since 14:41. About 45% of checkout attempts failed from "
        "14:02 to 14:41; most shoppers who retried succeeded.",
        in_flight_actions="Marcus: CFG-4822 (explicit pool size 100, 2 s acquire timeout) "
        "in review. Jordan: status page stays on 'monitoring'. Priya: watching pool "
        "utilisation.",
        decision_point="Ship CFG-4822 today (fail fast on a saturated pool) or keep the "
        "rollback overnight and ship behind a canary tomorrow.",
        comms_cadence="Every 30 minutes (SEV-1) in #inc-checkout-api and on the status page",
        next_decision_at=at("15:30"),
        author=dana,
    )
    _entry(
        incident,
        at("15:02"),
        Event.NOTE,
        "Checkpoint recorded for the handover: state, hypothesis, in-flight actions; "
        "next decision at 15:30 on shipping CFG-4822 today.",
        by=tomas,
    )
    _status(
        incident,
        at("15:15"),
        by=jordan,
        next_in=dt.timedelta(minutes=30),
        known="Checkout is healthy. The cause is the pool size in the rolled-back "
        "change, confirmed by a load test.",
        unknown="Whether saved-card 3-D Secure challenges were abandoned during the window.",
        impact="None since 14:41.",
        mitigation="A corrected config with an explicit pool size is in review.",
    )
    _entry(
        incident,
        at("15:31"),
        Event.ACTION,
        "Deployed CFG-4822: pool `max_size: 100` set explicitly for checkout-api; acquire "
        "timeout 30 s → 2 s so a saturated pool fails fast instead of queueing.",
        by=marcus,
        source="deploy CFG-4822",
        milestone=Milestone.DEPLOYED,
    )
    _entry(
        incident,
        at("15:40"),
        Event.FACT,
        "Verified stable on CFG-4822 at the afternoon peak: success 99.9%, p95 210 ms, "
        "pool utilisation at most 46%; the order pipeline has caught up.",
        by=priya,
        source=f"{DASHBOARDS}/checkout-api",
        milestone=Milestone.VERIFIED,
    )
    _entry(
        incident,
        at("15:45"),
        Event.COMMUNICATION,
        "Status page resolved; support macro for affected shoppers published. Provider "
        "reconciliation: no payment charged twice.",
        by=jordan,
        source="https://status.example.com/incidents/checkout-degraded",
    )
    _entry(
        incident,
        at("15:50"),
        Event.DECISION,
        "Resolved. Full postmortem opened with Elena Petrova as facilitator.",
        by=marcus,
        milestone=Milestone.RESOLVED,
    )
    _scope(
        incident,
        (
            "Shoppers on web and mobile checkout (all tenants)",
            "checkout-api, all three regions",
            "payments-db connection pool",
            "CFG-4821 (pool max_size 100 → 20)",
            "About 45% of checkout attempts failed for 39 minutes.",
        ),
        (
            "Marketplace sellers (order webhooks)",
            "order-events consumer",
            "checkout-api",
            "none",
            "No webhooks for failed checkouts; successful orders' webhooks up to 6 min late.",
        ),
        (
            "Shoppers in the saved-card 3-D Secure flow",
            "unknown",
            "card-vault",
            "unknown",
            "The card-vault call is not traced: whether challenges were abandoned "
            "mid-flow is unknown. To check against the provider's challenge report.",
        ),
        (
            "Internal support and finance tools",
            "none observed",
            "payments-db read replica",
            "none",
            "The read replica was unaffected; refunds and reports worked throughout.",
        ),
    )
    _tick(incident, Stage.DETECTION, by=priya, at=at("14:17"))
    _tick(incident, Stage.CONTAIN, by=dana, at=at("14:41"))
    _tick(incident, Stage.REPAIR, by=marcus, at=at("15:40"))
    _tick(incident, Stage.POST_RESOLUTION, [3, 4], by=cast.elena, at=at("15:55"))

    _full_postmortem(incident, cast, day=day, today=today)


def _full_postmortem(incident: Incident, cast: Cast, *, day: dt.date, today: dt.date) -> None:
    at = partial(_clock, day)
    meeting = _clock(today + dt.timedelta(days=1), "10:00")
    created = at("16:10")
    pm = _start(
        incident,
        Kind.FULL,
        facilitator=cast.elena,
        at=created,
        review_meeting_at=meeting,
    )
    summary_v2 = (
        "Checkout failed for about 45% of attempts for 39 minutes after a config change "
        "lowered the database connection pool. Rolled back; resolved after 1 h 48 m."
    )
    summary = (
        "For 39 minutes, about 45% of checkout attempts failed in every region after a "
        "configuration change lowered the checkout API's database connection pool from 100 "
        "to 20 connections per pod. Rolling the change back mitigated it; a config with an "
        "explicit pool size and a fail-fast timeout resolved it after 1 h 48 m. An estimated "
        "2,450 orders were lost (≈$186,000); no payment was charged twice."
    )
    what_happened = _md(
        f"All times {_zone()}, {day:%Y-%m-%d}.",
        "",
        "At 13:58 config change CFG-4821 reached all 12 checkout-api pods at once. It "
        "lowered the payments-db pool `max_size` from 100 to 20 as part of the "
        "connection-budget work ahead of the database upgrade; the value came from the "
        "average number of queries in flight per pod (about 12), not the peak.",
        "",
        "At the afternoon peak each pod runs about 35 queries at once. Requests queued for "
        "a connection for up to 30 s (the acquire timeout), the load balancer gave up after "
        "10 s, and clients retried, which raised traffic from 8,000 to 10,000 requests a "
        "minute and kept the pool saturated. The database stayed healthy throughout.",
        "",
        "The 5xx alert paged at 14:09. Responders found pool-exhaustion errors by 14:17, "
        "rolled the config back at 14:26 and restarted six pods whose drain was held open "
        "by queued requests. Checkout recovered at 14:41. CFG-4822 (15:31) set the pool "
        "size explicitly and cut the acquire timeout to 2 s; production was verified "
        "stable at 15:40.",
    )
    _sections(
        pm,
        {
            "executive_summary": summary,
            "what_happened": what_happened,
            "primary_cause": _md(
                "**Primary cause:** the pool size in CFG-4821 (20) was below the checkout "
                "API's peak concurrency per pod (about 35), so the pool saturated at peak "
                "traffic and requests queued until they timed out.",
                "",
                "That is the technical trigger, not the whole explanation: the change "
                "reached every pod at once, the config check validates types but not "
                "capacity, nothing alerts on pool saturation, and a 30 s acquire timeout "
                "turned saturation into a retry storm. See the contributing factors.",
            ),
            "trigger": "CFG-4821 reaching all 12 pods at 13:58, just before the afternoon "
            "traffic peak.",
            "detection_gap": (
                "Nothing measured the pool itself. The 5xx alert needs 5% errors over a "
                "5-minute window, so it fired 7 minutes after impact began, while the pool "
                "had been at 100% since 14:00. A pool-utilisation alert (AI-001) would have "
                "paged at about 14:02."
            ),
            "went_well": _md(
                "✅ The alert paged within 7 minutes and carried the dashboard link.",
                "✅ Roles were assigned within 5 minutes of the page, and the first status "
                "update went out 14 minutes after it.",
                "✅ Responders chose rollback over tuning in place: the last known good "
                "config was one command away.",
                "✅ The commander handover at the shift change used a written checkpoint; "
                "nothing in flight was dropped.",
            ),
            "went_poorly": _md(
                "❌ The config change went to every pod at once; a canary would have shown "
                "the errors on one pod.",
                "❌ Rollback stalled for 7 minutes on pods whose drain was held open by "
                "requests waiting 30 s for a connection.",
                "❌ The checkout runbook covers code rollbacks but not config rollbacks or "
                "stuck drains; both were improvised.",
                "❌ Whether the saved-card 3-D Secure flow lost challenges is still unknown: "
                "that path is not traced.",
                "❌ The on-call engineer should have noticed the pool graph before the "
                "alert fired.",
            ),
            "immediate_fix": _md(
                "Rolled back to CFG-4820 and restarted the six pods stuck draining:",
                "",
                "```bash",
                "deployctl config rollback checkout-api --to CFG-4820",
                "kubectl delete pod -l app=checkout-api,config=CFG-4821 --grace-period=5",
                "```",
                "",
                "Then deployed CFG-4822: `max_size: 100` set explicitly for checkout-api "
                "and `acquire_timeout` lowered from 30 s to 2 s.",
            ),
            "long_term_fix": (
                "Size pools from measured peak concurrency and enforce it in the config "
                "check (AI-002); ship config changes through the same canary as code "
                "(AI-003); alert on pool saturation (AI-001)."
            ),
            "technical_lessons": _md(
                "1. A pool size must come from peak concurrency, not the average.",
                "2. A long acquire timeout hides saturation: requests wait, time out "
                "upstream and are retried, so load rises exactly when capacity falls.",
                "3. A stuck drain is the same queue seen from the deploy side.",
            ),
            "process_lessons": _md(
                "1. Config changes are changes: they need the canary and rollback path code has.",
                "2. The runbook needs the config rollback and the stuck-drain step.",
                "3. A value that limits capacity needs a reviewer from the team that owns "
                "the traffic.",
            ),
            "communication_lessons": _md(
                "1. The first status update went out 14 minutes after the page and the "
                "30-minute cadence held.",
                "2. Support's customer macro went out after resolution, while tickets "
                "arrived from 14:15: publish a holding macro with the first status update.",
            ),
            "prevention_short": _md(
                "- [x] Roll back CFG-4821 and set `max_size: 100` explicitly (CFG-4822)",
                "- [ ] Alert on pool utilisation above 80% for 2 minutes (AI-001)",
                "- [ ] Config rollback and stuck-drain steps in the checkout runbook (AI-004)",
            ),
            "prevention_medium": _md(
                "- [ ] Config check rejects pool sizes below measured peak x 1.5 (AI-002)",
                "- [ ] Canary for config changes with automatic rollback (AI-003)",
                "- [ ] Trace the card-vault call so the 3-D Secure flow's impact is measurable",
            ),
            "prevention_long": _md(
                "- [ ] Pool-exhaustion game day with Payments and Platform on-call (AI-005)",
                "- [ ] Connection budgets per service derived from load tests, reviewed "
                "each quarter",
            ),
            "supporting_data": _md(
                "### Metrics During Incident",
                "```",
                "Error Rate: 45% (normal: <0.1%)",
                "Response Time p95: 8500ms (normal: 200ms)",
                "Success Rate: 55% (normal: 99.9%)",
                "Traffic: 10,000 req/min (normal: 8,000 req/min)",
                "Pool utilisation: 100% from 14:00 to 14:41 (peak 46% at size 100)",
                "```",
                "",
                "### Logs",
                "```",
                f"ERROR [{day:%Y-%m-%d} 14:15:32] Connection pool exhausted, size=20, available=0",
                f"ERROR [{day:%Y-%m-%d} 14:15:33] Unable to acquire database connection "
                "within 30000ms",
                f"ERROR [{day:%Y-%m-%d} 14:15:43] Request timeout after 10000ms (load balancer)",
                "```",
            ),
            "review_meeting": _md(
                f"- **Date:** {meeting:%Y-%m-%d %H:%M} {_zone()}",
                "- **Attendees:** Elena Petrova (facilitator), Dana Demo, Marcus Okafor, "
                "Priya Raman, Jordan Lee, Tomás García",
                "- **Agenda:** review timeline and contributing factors; verify the two "
                "candidate factors; confirm owners and due dates of AI-001 to AI-005.",
            ),
            "communication": _md(
                "- **Incident channel:** #inc-checkout-api",
                "- **Stakeholder updates:** every 30 minutes (14:23, 14:45, 15:15)",
                "- **Status page updated:** yes (14:29 degraded, 15:45 resolved)",
                "- **Customer notification:** support macro; no email",
                "- **Public post-mortem:** no",
            ),
        },
        by=cast.elena,
        at=created,
    )
    # The revision history: who wrote what, in order; each section's version counts it.
    revisions = [
        ("executive_summary", cast.elena, at("16:15"), summary_v2),
        ("what_happened", cast.tomas, at("16:40"), what_happened),
        ("trigger", cast.marcus, at("16:52"), pm.sections.get(key="trigger").body),
        ("executive_summary", cast.dana, at("17:05"), summary),
    ]
    versions: dict[str, int] = {}
    for key, author, when, content in revisions:
        versions[key] = versions.get(key, 1) + 1
        Revision.objects.create(
            postmortem=pm,
            target=f"section:{key}",
            version=versions[key],
            summary=f"Edited {pm.sections.get(key=key).title}",
            content=content,
            author=author,
            created_at=when,
        )
    for key, version in versions.items():
        last_author = next(a for k, a, _, _ in reversed(revisions) if k == key)
        Section.objects.filter(postmortem=pm, key=key).update(
            version=version, updated_by=last_author
        )
    _impact(
        pm,
        {
            "affected_users": "≈41,000 shoppers saw at least one failed checkout",
            "affected_features": "Checkout (card and wallet payments); order webhooks",
            "regions": "All (eu-west, us-east, ap-southeast)",
            "lost_revenue": "≈$186,000 estimated (2,450 orders not recovered x $76 average order)",
            "sla_breach": "Yes: the 99.95% monthly checkout availability SLO; enterprise "
            "SLA credits under review",
            "systems_affected": "checkout-api (12 pods), order-events consumer",
            "data_loss": "None",
            "performance": "5xx 45% (normal <0.1%); p95 8,500 ms (normal 200 ms)",
            "customer_tickets": "312",
            "reputation": "Moderate: about 40 social media mentions, no press",
            "compliance": "None identified",
            "response_quality": "Good",
        },
    )
    Why.objects.bulk_create(
        Why(postmortem=pm, position=position, question=question, answer=answer)
        for position, (question, answer) in enumerate(
            [
                (
                    "Why did checkout fail?",
                    "Because every checkout-api pod ran out of database connections and "
                    "requests timed out waiting for one.",
                ),
                (
                    "Why did the pods run out of connections?",
                    "Because CFG-4821 cut the pool from 100 to 20 per pod, below the "
                    "about 35 queries each pod runs at the afternoon peak.",
                ),
                (
                    "Why was the pool set below peak concurrency?",
                    "Because the connection budget was computed from average queries in "
                    "flight (about 12); peak concurrency was not part of the calculation.",
                ),
                (
                    "Why did the value reach production unchecked against capacity?",
                    "Because the config check validates types and ranges only, and config "
                    "changes skip the canary that code deploys go through.",
                ),
                (
                    "Why didn't we catch this before the traffic peak?",
                    "Because nothing measures pool saturation: staging runs at 5% of "
                    "production load and no alert watches pool utilisation.",
                ),
            ]
        )
    )
    trigger, rollout, detection, runbook, _budget = _factors(
        pm,
        (
            Layer.TECHNICAL_TRIGGER,
            Factor.VERIFIED,
            "CFG-4821 set the payments-db pool to 20 per pod, below peak concurrency "
            "(about 35); requests queued for up to 30 s and client retries raised traffic 25%.",
        ),
        (
            Layer.ROLLOUT_CONTROL_GAP,
            Factor.VERIFIED,
            "Config changes deploy to all pods at once, without the canary code deploys "
            "use; the config check validates types, not capacity.",
        ),
        (
            Layer.DETECTION_GAP,
            Factor.VERIFIED,
            "No alert on pool saturation; the 5xx alert's 5-minute window made detection "
            "take 7 minutes.",
        ),
        (
            Layer.RESPONSIBILITY_GAP,
            Factor.CANDIDATE,
            "The checkout runbook covers code rollback but not config rollback or stuck "
            "pod drains; responders improvised both (7 minutes).",
        ),
        (
            Layer.ORGANIZATIONAL,
            Factor.CANDIDATE,
            "The connection-budget work had to land before the database upgrade window; "
            "Platform reviewed the values without a reviewer from Payments, whose traffic "
            "they limit. To verify in the review meeting.",
        ),
        by=cast.elena,
    )
    _actions(
        pm,
        {
            "title": "Alert when checkout-api pool utilisation stays above 80% for 2 minutes",
            "owner": cast.priya,
            "priority": Priority.P1,
            "due_date": today + dt.timedelta(days=1),
            "status": Status.IN_PROGRESS,
            "category": Category.DETECT,
            "verification_signal": "Done when the staging load test at pool size 20 pages "
            "the Platform on-call within 3 minutes.",
            "tracking_url": f"{TRACKER}/PLAT-941",
            "factor": detection,
        },
        {
            "title": "Config check rejects a pool max_size below 1.5x the service's "
            "measured peak concurrency",
            "owner_team": "Platform",
            "priority": Priority.P1,
            "due_date": today + dt.timedelta(days=6),
            "status": Status.OPEN,
            "category": Category.PREVENT,
            "verification_signal": "Done when a config PR setting checkout-api "
            "max_size: 20 fails CI with a message naming the measured peak.",
            "tracking_url": f"{TRACKER}/PLAT-942",
            "factor": trigger,
        },
        {
            "title": "Ship config changes through the canary: one pod for 10 minutes, "
            "automatic rollback when 5xx exceeds 2%",
            "owner_team": "Payments",
            "priority": Priority.P1,
            "due_date": today + dt.timedelta(days=13),
            "status": Status.OPEN,
            "category": Category.PREVENT,
            "verification_signal": "Done when a deliberately bad config in staging is "
            "rolled back automatically with the other pods untouched.",
            "tracking_url": f"{TRACKER}/PAY-1204",
            "factor": rollout,
        },
        {
            "title": "Add config rollback and stuck-drain steps to the checkout runbook",
            "owner": cast.dana,
            "priority": Priority.P2,
            "due_date": today + dt.timedelta(days=4),
            "status": Status.OPEN,
            "category": Category.MITIGATE,
            "verification_signal": "Done when a responder new to checkout rolls back a "
            "config change in a game day using only the runbook, in under 10 minutes.",
            "tracking_url": f"{TRACKER}/PLAT-943",
            "factor": runbook,
        },
        {
            "title": "Run a pool-exhaustion game day with Payments and Platform on-call",
            "owner": cast.elena,
            "priority": Priority.P2,
            "due_date": today + dt.timedelta(days=30),
            "status": Status.OPEN,
            "category": Category.LEARN,
            "verification_signal": "Done when the game day has run and each finding is "
            "an action item with an owner and a due date.",
            "tracking_url": f"{TRACKER}/ENG-97",
            # Not yet linked to the budget factor: the draft's checks say so.
        },
    )
    signers = {
        "Incident Commander": (cast.dana, at("17:20")),
        "Tech Lead": (cast.marcus, at("17:45")),
        "Engineering Manager": (cast.elena, None),
        "SRE Lead": (cast.priya, None),
    }
    for role, (user, signed_at) in signers.items():
        updated = SignOff.objects.filter(postmortem=pm, role=role).update(
            user=user, signed_at=signed_at
        )
        if updated != 1:
            raise LookupError(f"The {pm.kind} template has no sign-off role {role!r}.")


# --- active: happening now, no postmortem yet ---------------------------------------


def _active_incident(cast: Cast, *, now: dt.datetime) -> None:

    def ago(minutes: int) -> dt.datetime:
        return now - dt.timedelta(minutes=minutes)

    priya, tomas = cast.priya, cast.tomas
    incident = _declare(
        title="Search autocomplete slow for EU tenants",
        severity=Incident.Severity.SEV3,
        impact_category=Incident.ImpactCategory.PERFORMANCE,
        detection_method=Incident.DetectionMethod.MONITORING,
        declared_by=priya,
        responders=[priya, tomas, cast.dana],
        summary="Autocomplete suggestions take 2-3 s instead of 120 ms for tenants on "
        "the eu-west search cluster; search itself works.",
        started_at=ago(52),
        detected_at=ago(44),
        started=(
            "Autocomplete p95 rises from 120 ms to 2.4 s on the eu-west search cluster.",
            "System",
            f"{DASHBOARDS}/search-eu-west",
        ),
        detected=(
            "Alert SearchAutocompleteLatencyHigh (p95 above 1 s for 5 minutes).",
            "Monitoring",
            "alert ALR-90417",
        ),
    )
    # Support asked for hourly updates, more often than SEV-3's default.
    Incident.objects.filter(pk=incident.pk).update(status_cadence_minutes=60)
    _roles(
        incident,
        (Role.COMMANDER, priya, ago(40), None),
        (Role.OPERATIONS, tomas, ago(40), None),
        (Role.COMMUNICATIONS, priya, ago(40), None),
        by=priya,
    )
    _entry(
        incident,
        ago(40),
        Event.ROLE_CHANGE,
        "Roles: incident commander and communications Priya Raman, operations lead "
        "Tomás García. No scribe needed at this size: the commander keeps the timeline.",
        by=priya,
    )
    _entry(
        incident,
        ago(38),
        Event.DECISION,
        "SEV-3: autocomplete is slow, search and checkout work. Updates hourly, as Support asked.",
        by=priya,
        milestone=Milestone.TRIAGED,
    )
    _entry(
        incident,
        ago(33),
        Event.FACT,
        "One of three eu-west search nodes at 95% heap since the nightly index rebuild; "
        "the other two at 40%.",
        by=tomas,
        source=f"{DASHBOARDS}/search-eu-west?panel=heap",
    )
    _entry(
        incident,
        ago(30),
        Event.HYPOTHESIS,
        "The rebuild left the shards unbalanced: the hot node holds 5 of the 9 primary shards.",
        by=tomas,
    )
    _status(
        incident,
        ago(28),
        by=priya,
        next_in=dt.timedelta(minutes=60),
        known="Autocomplete is slow (2-3 s) for EU tenants; search results are correct.",
        unknown="Why the nightly rebuild placed most shards on one node.",
        impact="EU tenants wait for suggestions; searches themselves complete.",
        mitigation="Evaluating a shard rebalance.",
    )
    _entry(
        incident,
        ago(20),
        Event.DECISION,
        "Rebalance shards rather than restart the hot node: a restart would put the same "
        "shards back on it.",
        by=priya,
    )
    _entry(
        incident,
        ago(15),
        Event.ACTION,
        "Started the shard rebalance on eu-west; expected to take about 40 minutes.",
        by=tomas,
        source=f"{CHAT}/C0INC-search/p1701713",
    )
    _entry(
        incident,
        ago(6),
        Event.FACT,
        "Rebalance 35% done; autocomplete p95 down to 1.6 s.",
        by=tomas,
        source=f"{DASHBOARDS}/search-eu-west",
    )
    _scope(
        incident,
        (
            "EU tenants (autocomplete)",
            "eu-west search cluster",
            "search index",
            "nightly index rebuild",
            "US and APAC clusters unaffected.",
        ),
    )
    _tick(incident, Stage.DETECTION, [0, 1, 3], by=priya, at=ago(36))
    _tick(incident, Stage.CONTAIN, [2, 3, 4], by=priya, at=ago(28))
