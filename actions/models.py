import datetime as dt
from typing import Self

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from incidents.access import visibility_q
from incidents.refs import action_ref
from postmortems.models import ContributingFactor, Postmortem

OPEN_STATUSES = ["open", "in_progress"]
# The dashboard's default view, every open item: the bucket value "".
OPEN = ""
# An open item nobody has touched for this long is stale (review seed).
STALE_AFTER = dt.timedelta(days=14)
SOON_DAYS = 7


class Bucket(models.TextChoices):
    """The dashboard's slices; each is one condition, counted in one query."""

    OVERDUE = "overdue", "Overdue"
    DUE_SOON = "due_soon", f"Due in {SOON_DAYS} days"
    STALE = "stale", "Stale"
    DONE_MONTH = "done_month", "Done this month"


def bucket_q(bucket: str, now: dt.datetime) -> Q:
    """The one definition of each bucket, for filters and counts alike."""
    today = timezone.localdate(now)
    is_open = Q(status__in=OPEN_STATUSES)
    match bucket:
        case Bucket.OVERDUE:
            return is_open & Q(due_date__lt=today)
        case Bucket.DUE_SOON:
            return is_open & Q(due_date__gte=today, due_date__lte=today + dt.timedelta(SOON_DAYS))
        case Bucket.STALE:
            return is_open & Q(updated_at__lt=now - STALE_AFTER)
        case Bucket.DONE_MONTH:
            return Q(status="done", verified_at__gte=month_start(now))
    raise ValueError(f"Unknown bucket {bucket!r}")


def month_start(now: dt.datetime) -> dt.datetime:
    """Midnight on the first of this month, in the current time zone."""
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


class ActionItemQuerySet(models.QuerySet["ActionItem"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        return self.filter(visibility_q(user, "postmortem__incident"))

    def open(self) -> Self:
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today: dt.date) -> Self:
        return self.open().filter(due_date__lt=today)

    def due_within(self, today: dt.date, days: int) -> Self:
        return self.open().filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days))

    def owned_by(self, user: AbstractBaseUser) -> Self:
        return self.filter(owner=user)

    def in_bucket(self, bucket: str, now: dt.datetime) -> Self:
        return self.filter(bucket_q(bucket, now))

    def not_snoozed(self, today: dt.date) -> Self:
        return self.filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=today))

    def bucket_counts(self, now: dt.datetime) -> dict[str, int]:
        """How many items are open, and in each bucket, in one query.

        Every bucket but done-this-month holds only open items, so the WHERE
        keeps open items and this month's done ones: PostgreSQL combines two
        partial indexes instead of reading every item.
        """
        conditions = {bucket: bucket_q(bucket, now) for bucket in Bucket.values}
        conditions[OPEN] = Q(status__in=OPEN_STATUSES)
        return self.filter(conditions[OPEN] | conditions[Bucket.DONE_MONTH]).aggregate(
            **{bucket: Count("pk", filter=condition) for bucket, condition in conditions.items()}
        )


class ActionItemPriority(models.TextChoices):
    P0 = "P0", "P0 · drop everything"
    P1 = "P1", "P1 · this week"
    P2 = "P2", "P2 · this month"
    P3 = "P3", "P3 · this quarter"


class ActionItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


class ActionItemCategory(models.TextChoices):
    PREVENT = "prevent", "Prevent"
    DETECT = "detect", "Detect"
    MITIGATE = "mitigate", "Mitigate"
    LEARN = "learn", "Learn"


class ActionItem(models.Model):
    Priority = ActionItemPriority
    Status = ActionItemStatus
    Category = ActionItemCategory

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveIntegerField(help_text="Shown as AI-001; counts per postmortem.")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
    )
    owner_team = models.CharField(max_length=120, blank=True, verbose_name="owning team")
    priority = models.CharField(max_length=2, choices=Priority, default=Priority.P2)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status, default=Status.OPEN)
    wont_do_reason = models.TextField(blank=True)
    category = models.CharField(max_length=10, choices=Category)
    verification_signal = models.TextField(
        blank=True, help_text='Observable signal that it is done: "done when ...".'
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    tracking_url = models.URLField(blank=True, max_length=500, verbose_name="tracking link")
    factor = models.ForeignKey(
        ContributingFactor,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
        help_text="The contributing factor this action answers.",
    )
    # The owner may snooze reminders once, with a reason; the item stays on
    # the dashboard (still overdue) and leaves the digest until the date.
    snoozed_until = models.DateField(null=True, blank=True)
    snooze_reason = models.TextField(blank=True)
    snoozed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["postmortem", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["postmortem", "number"], name="actions_actionitem_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1), name="actions_actionitem_number_positive"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=ActionItemPriority.values),
                name="actions_actionitem_priority_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ActionItemStatus.values),
                name="actions_actionitem_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(category__in=ActionItemCategory.values),
                name="actions_actionitem_category_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="wont_do") | ~Q(wont_do_reason=""),
                name="actions_actionitem_wont_do_has_reason",
                violation_error_message="Say why this action will not be done.",
            ),
            # Done means someone confirmed the verification signal.
            models.CheckConstraint(
                condition=~Q(status="done")
                | Q(verified_at__isnull=False, verified_by__isnull=False),
                name="actions_actionitem_done_is_verified",
                violation_error_message="An action is done only once its signal is verified.",
            ),
            models.CheckConstraint(
                condition=Q(snoozed_at__isnull=True, snoozed_until__isnull=True, snooze_reason="")
                | (Q(snoozed_at__isnull=False, snoozed_until__isnull=False) & ~Q(snooze_reason="")),
                name="actions_actionitem_snooze_has_date_and_reason",
                violation_error_message="A snooze needs a date and a reason.",
            ),
        ]
        indexes = [
            # The overdue dashboard and the reminder digest: open items by
            # owner, oldest due date first.
            models.Index(
                fields=["owner", "due_date"],
                condition=Q(status__in=OPEN_STATUSES),
                name="actions_open_by_owner_due",
            ),
            # The same for items owned by a team rather than a person.
            models.Index(
                fields=["owner_team", "due_date"],
                condition=Q(status__in=OPEN_STATUSES),
                name="actions_open_by_team_due",
            ),
            # Everyone's overdue and due-soon buckets, the navigation's overdue
            # count and the escalation run: open items by due date.
            models.Index(
                fields=["due_date"],
                condition=Q(status__in=OPEN_STATUSES),
                name="actions_open_by_due",
            ),
            # The stale bucket: open items by their last change.
            models.Index(
                fields=["updated_at"],
                condition=Q(status__in=OPEN_STATUSES),
                name="actions_open_by_updated",
            ),
            # The done-this-month bucket: done items by when they were verified.
            models.Index(
                fields=["verified_at"],
                condition=Q(status="done"),
                name="actions_done_by_verified",
            ),
            # The dashboard's "all, also closed" view, soonest due first.
            models.Index(fields=["due_date"], name="actions_by_due"),
            # The team filter's choices (distinct teams of the items one may
            # see): read from the index alone, postmortem in it for the join.
            models.Index(
                fields=["owner_team", "postmortem"],
                condition=~Q(owner_team=""),
                name="actions_team_owned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return action_ref(self.number)

    @property
    def owner_label(self) -> str:
        if self.owner_id:
            return self.owner.get_full_name() or self.owner.get_username()
        return self.owner_team

    def days_overdue(self, today: dt.date) -> int:
        if self.status not in OPEN_STATUSES or self.due_date is None:
            return 0
        return max(0, (today - self.due_date).days)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def snoozed_on(self, today: dt.date) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > today

    def snooze(self, *, until: dt.date, reason: str) -> bool:
        """Snooze once: False when it was snoozed before (also by a request
        that won a race), and nothing changes. ``updated_at`` stays: a
        snooze quiets reminders, it is not progress, so staleness still shows."""
        now = timezone.now()
        claimed = ActionItem.objects.filter(pk=self.pk, snoozed_at__isnull=True).update(
            snoozed_until=until, snooze_reason=reason, snoozed_at=now
        )
        if claimed:
            self.snoozed_until, self.snooze_reason, self.snoozed_at = until, reason, now
        return bool(claimed)


class ReminderKind(models.TextChoices):
    DIGEST = "digest", "Daily digest"
    ESCALATION = "escalation", "Escalation"


class Reminder(models.Model):
    """One reminder email, claimed before it is sent and marked once sent.

    The unique constraints make a second run of the same day (a retry, a
    second beat, a redelivered task after a worker restart) find the claim
    and send nothing again; a claim left unsent by a crashed run is taken
    over after ``reminders.RECLAIM_AFTER``.
    """

    Kind = ReminderKind

    kind = models.CharField(max_length=10, choices=Kind)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(help_text="The day the reminder run was for.")
    # Escalations only: the item, and the due date it missed. A new due date
    # missed by more than a week escalates again.
    action = models.ForeignKey(
        ActionItem, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    missed_due_date = models.DateField(null=True, blank=True)
    claim = models.UUIDField(help_text="The run that holds this reminder.")
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReminderKind.values), name="actions_reminder_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["recipient", "day"],
                condition=Q(kind="digest"),
                name="actions_reminder_one_digest_a_day",
            ),
            models.UniqueConstraint(
                fields=["action", "missed_due_date"],
                condition=Q(kind="escalation"),
                name="actions_reminder_one_escalation_per_due_date",
            ),
            models.CheckConstraint(
                condition=Q(kind="digest", action__isnull=True)
                | Q(kind="escalation", action__isnull=False, missed_due_date__isnull=False),
                name="actions_reminder_escalation_names_its_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} for {self.day}"
