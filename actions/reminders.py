"""The daily reminder run: each owner's digest, and escalations of items
more than a week overdue to whoever runs the review.

Sending is idempotent and survives a worker restart. Every email is first
claimed as a Reminder row under a unique constraint (one digest per person
and day; one escalation per item and missed due date), then sent, then
marked sent. A second run of the same day finds the claims and sends
nothing; a claim that a dead run left unsent is taken over once it is older
than RECLAIM_AFTER. The one gap is a crash between the mail server
accepting a message and the row being marked: that message goes out again.
"""

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import BigIntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.models import SOON_DAYS, ActionItem, Reminder
from incidents.models import RoleAssignment

log = logging.getLogger(__name__)

RECLAIM_AFTER = dt.timedelta(minutes=15)
# "Overdue more than 7 days": an item 8 days past its date is escalated.
ESCALATE_AFTER = dt.timedelta(days=7)

User = get_user_model()


@dataclass
class Outcome:
    day: dt.date
    digests: int = 0
    escalations: int = 0
    # Claims another run holds and has not sent yet (it may have died):
    # the task tries again once they can be taken over.
    waiting: int = 0
    failed: int = 0


def digest_items(today: dt.date) -> dict[int, list[ActionItem]]:
    """Each owner's overdue and soon-due items that are not snoozed, by owner id.

    Team-owned items have no person to write to and get no digest; the
    escalation still covers them."""
    items = (
        ActionItem.objects.open()
        .filter(due_date__lte=today + dt.timedelta(days=SOON_DAYS))
        .not_snoozed(today)
        .select_related("owner", "postmortem__incident")
        .order_by("owner", "due_date", "pk")
    )
    by_owner = defaultdict(list)
    for item in items:
        by_owner[item.owner_id].append(item)
    by_owner.pop(None, None)
    return by_owner


def escalation_items(today: dt.date) -> dict[int, list[ActionItem]]:
    """Items more than a week overdue, not snoozed, by the id of whom they go to:
    the postmortem's facilitator or, for a review without one, the incident's
    current commander."""
    commander = RoleAssignment.objects.filter(
        incident=OuterRef("postmortem__incident"),
        role=RoleAssignment.Role.COMMANDER,
        ended_at__isnull=True,
    ).values("user")[:1]
    items = (
        ActionItem.objects.overdue(today - ESCALATE_AFTER)
        .not_snoozed(today)
        .annotate(
            escalate_to=Coalesce(
                "postmortem__facilitator_id", Subquery(commander), output_field=BigIntegerField()
            )
        )
        .filter(escalate_to__isnull=False)
        .select_related("owner", "postmortem__incident")
        .order_by("due_date", "pk")
    )
    by_recipient = defaultdict(list)
    for item in items:
        by_recipient[item.escalate_to].append(item)
    return by_recipient


def reachable(by_user: dict[int, list[ActionItem]], users: dict) -> dict[int, list[ActionItem]]:
    """Only active people with an email address, and only the items they may see.

    The one visibility rule decides about restricted incidents, asked once
    per recipient who has any restricted item at all (rare), so a common run
    costs no query here."""
    kept = {}
    for user_id, items in by_user.items():
        user = users.get(user_id)
        if user is None or not user.is_active or not user.email:
            continue
        restricted = [item.pk for item in items if item.postmortem.incident.restricted]
        if restricted:
            allowed = set(
                ActionItem.objects.visible_to(user)
                .filter(pk__in=restricted)
                .values_list("pk", flat=True)
            )
            items = [i for i in items if not i.postmortem.incident.restricted or i.pk in allowed]
        if items:
            kept[user_id] = items
    return kept


def send_reminders(*, today: dt.date | None = None) -> Outcome:
    now = timezone.now()
    today = today or timezone.localdate(now)
    digests, escalations = digest_items(today), escalation_items(today)
    users = User.objects.in_bulk(digests.keys() | escalations.keys())
    digests, escalations = reachable(digests, users), reachable(escalations, users)
    escalated = {item.pk: item for items in escalations.values() for item in items}
    claim = uuid.uuid4()

    Reminder.objects.bulk_create(
        [
            Reminder(kind=Reminder.Kind.DIGEST, recipient_id=user_id, day=today, claim=claim)
            for user_id in digests
        ]
        + [
            Reminder(
                kind=Reminder.Kind.ESCALATION,
                recipient_id=user_id,
                day=today,
                action=item,
                missed_due_date=item.due_date,
                claim=claim,
            )
            for user_id, items in escalations.items()
            for item in items
        ],
        ignore_conflicts=True,  # claimed already, by this day's earlier run
    )
    ours = Q(kind=Reminder.Kind.DIGEST, day=today, recipient_id__in=digests) | Q(
        kind=Reminder.Kind.ESCALATION, action_id__in=escalated
    )
    unsent = Reminder.objects.filter(ours, sent_at__isnull=True)
    unsent.filter(claimed_at__lt=now - RECLAIM_AFTER).update(claim=claim, claimed_at=now)
    claimed = defaultdict(list)
    for pk, kind, recipient_id, action_id in unsent.filter(claim=claim).values_list(
        "pk", "kind", "recipient_id", "action_id"
    ):
        claimed[kind, recipient_id].append((pk, action_id))
    outcome = Outcome(day=today, waiting=unsent.exclude(claim=claim).count())

    for (kind, recipient_id), rows in claimed.items():
        user = users[recipient_id]
        if kind == Reminder.Kind.DIGEST:
            message = digest_message(user, digests[recipient_id], today)
        else:
            mine = {action_id for _, action_id in rows}
            items = [item for item in escalations[recipient_id] if item.pk in mine]
            message = escalation_message(user, items, today)
        pks = [pk for pk, _ in rows]
        try:
            message.send()
        except Exception:
            # Not sent: give the claim back, so the retry sends it.
            log.exception("Reminder to %s failed; released for the retry", user.email)
            Reminder.objects.filter(pk__in=pks, claim=claim).delete()
            outcome.failed += 1
            continue
        Reminder.objects.filter(pk__in=pks).update(sent_at=timezone.now())
        if kind == Reminder.Kind.DIGEST:
            outcome.digests += 1
        else:
            outcome.escalations += 1
    return outcome


# The emails


def _link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _lines(items: Iterable[ActionItem], today: dt.date) -> list[dict]:
    return [
        {
            "item": item,
            "days_overdue": item.days_overdue(today),
            "url": _link(item.postmortem.get_absolute_url()),
        }
        for item in items
    ]


def digest_message(user, items: list[ActionItem], today: dt.date) -> EmailMessage:
    overdue = [item for item in items if item.due_date < today]
    soon = [item for item in items if item.due_date >= today]
    parts = [f"{len(overdue)} overdue"] if overdue else []
    parts += [f"{len(soon)} due within {SOON_DAYS} days"] if soon else []
    body = render_to_string(
        "actions/email/digest.txt",
        {
            "user": user,
            "overdue": _lines(overdue, today),
            "soon": _lines(soon, today),
            "soon_days": SOON_DAYS,
            "dashboard": _link(f"{reverse('actions:list')}?mine=1"),
        },
    )
    return EmailMessage(f"Your follow-up actions: {', '.join(parts)}", body, None, [user.email])


def escalation_message(user, items: list[ActionItem], today: dt.date) -> EmailMessage:
    body = render_to_string(
        "actions/email/escalation.txt",
        {
            "user": user,
            "items": _lines(items, today),
            "dashboard": _link(f"{reverse('actions:list')}?bucket=overdue"),
        },
    )
    count = len(items)
    return EmailMessage(
        f"Escalation: {count} follow-up action{'s' if count > 1 else ''} more than a week overdue",
        body,
        None,
        [user.email],
    )
