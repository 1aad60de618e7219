import datetime as dt
from typing import Self

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from incidents.access import visibility_q
from incidents.refs import validate_change_id, validate_incident_ref


class IncidentQuerySet(models.QuerySet["Incident"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        return self.filter(visibility_q(user))

    def open(self) -> Self:
        return self.filter(state__in=[Incident.State.ACTIVE, Incident.State.MITIGATED])

    def declared_on(self, day: dt.date) -> Self:
        return self.filter(ref__startswith=f"INC-{day:%Y-%m-%d}-")


class IncidentSeverity(models.TextChoices):
    SEV1 = "SEV-1", "SEV-1 · Critical: full outage"
    SEV2 = "SEV-2", "SEV-2 · Major: significant degradation"
    SEV3 = "SEV-3", "SEV-3 · Minor: limited impact"
    SEV4 = "SEV-4", "SEV-4 · Low: minimal impact"


class IncidentState(models.TextChoices):
    ACTIVE = "active", "Active"
    MITIGATED = "mitigated", "Mitigated"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class IncidentImpactCategory(models.TextChoices):
    OUTAGE = "outage", "Complete service outage"
    DATA = "data", "Data loss or corruption"
    SECURITY = "security", "Security breach"
    PERFORMANCE = "performance", "Performance degradation"
    PARTIAL = "partial", "Partial feature failure"
    OTHER = "other", "Other"


class IncidentDetectionMethod(models.TextChoices):
    MONITORING = "monitoring", "Monitoring alert"
    CUSTOMER = "customer", "Customer report"
    INTERNAL = "internal", "Internal discovery"
    AUTOMATED = "automated", "Automated system"
    OTHER = "other", "Other"


class Incident(models.Model):
    Severity = IncidentSeverity
    State = IncidentState
    ImpactCategory = IncidentImpactCategory
    DetectionMethod = IncidentDetectionMethod

    # Status-update cadence per severity (incident-response seed: the highest
    # severity within 30 minutes, high within an hour; lower ones as agreed).
    STATUS_CADENCE = {
        Severity.SEV1: dt.timedelta(minutes=30),
        Severity.SEV2: dt.timedelta(hours=1),
        Severity.SEV3: dt.timedelta(hours=4),
        Severity.SEV4: dt.timedelta(hours=24),
    }

    ref = models.CharField(max_length=32, unique=True, validators=[validate_incident_ref])
    title = models.CharField(max_length=200)
    severity = models.CharField(max_length=5, choices=Severity)
    state = models.CharField(max_length=10, choices=State, default=State.ACTIVE)
    impact_category = models.CharField(max_length=12, choices=ImpactCategory)
    detection_method = models.CharField(max_length=12, choices=DetectionMethod)
    summary = models.TextField(blank=True, help_text="What users saw, in one or two sentences.")
    # The workstream id IS the change id (hotfix seed: one story = one workstream).
    is_hotfix = models.BooleanField(default=False)
    change_id = models.CharField(
        max_length=80, blank=True, validators=[validate_change_id], verbose_name="change id"
    )
    restricted = models.BooleanField(
        default=False,
        help_text="Security track: only named responders can see this incident.",
    )
    status_cadence_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Minutes between status updates; empty uses the severity's cadence.",
    )
    solo_mode = models.BooleanField(
        default=False, help_text="One person holds every response role."
    )
    responders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="responding_to"
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=IncidentSeverity.values),
                name="incidents_incident_severity_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=IncidentState.values),
                name="incidents_incident_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(is_hotfix=True) | Q(change_id=""),
                name="incidents_incident_change_id_only_for_hotfix",
                violation_error_message="Only a hotfix incident carries a change id.",
            ),
            # One incident per change: the change folder is the workstream.
            models.UniqueConstraint(
                fields=["change_id"],
                condition=~Q(change_id=""),
                name="incidents_incident_change_id_unique",
                violation_error_message="Another incident already has this change id.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:detail", args=[self.ref])

    @property
    def status_cadence(self) -> dt.timedelta:
        if self.status_cadence_minutes:
            return dt.timedelta(minutes=self.status_cadence_minutes)
        return self.STATUS_CADENCE[self.Severity(self.severity)]

    def milestone_times(self) -> dict[str, dt.datetime]:
        """The incident's milestones by name: the single source of its times."""
        return dict(self.events.milestones().values_list("milestone", "occurred_at"))


class TimelineEventQuerySet(models.QuerySet["TimelineEvent"]):
    def milestones(self) -> Self:
        return self.exclude(milestone="")

    def newest(self, limit: int | None) -> "tuple[list[TimelineEvent], int, str]":
        """The newest ``limit`` of these entries (all when None) in time order,
        how many there are in all, and a stamp of all that changes whenever
        they do (an entry added raises the newest id, one deleted lowers the
        count, an edit raises the sum of versions): one query, the count and
        stamp being window aggregates, taken before the limit. The stamp keys
        the shared HTML of the list (postmortems/fragments.py)."""
        newest_first = self.annotate(
            stamp_n=models.Window(models.Count("pk")),
            stamp_last=models.Window(models.Max("pk")),
            stamp_v=models.Window(models.Sum("version")),
        ).order_by("-occurred_at", "-pk")
        rows = list(newest_first[:limit] if limit else newest_first)[::-1]
        if not rows:
            return [], 0, "0-0-0"
        first = rows[0]
        return rows, first.stamp_n, f"{first.stamp_n}-{first.stamp_last}-{first.stamp_v}"


class TimelineEventKind(models.TextChoices):
    FACT = "fact", "Fact"
    HYPOTHESIS = "hypothesis", "Hypothesis"
    DECISION = "decision", "Decision"
    ACTION = "action", "Action / command"
    STATUS = "status", "Status update"
    COMMUNICATION = "communication", "Communication"
    ROLE_CHANGE = "role_change", "Role change"
    NOTE = "note", "Note"


class TimelineEventMilestone(models.TextChoices):
    STARTED = "started", "Impact started"
    DETECTED = "detected", "Detected"
    TRIAGED = "triaged", "Triaged"
    MITIGATED = "mitigated", "Mitigated"
    DEPLOYED = "deployed", "Fix deployed"
    VERIFIED = "verified", "Verified stable"
    RESOLVED = "resolved", "Resolved"


class TimelineEvent(models.Model):
    Kind = TimelineEventKind
    Milestone = TimelineEventMilestone

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    occurred_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=16, choices=Kind, default=Kind.FACT)
    milestone = models.CharField(max_length=10, choices=Milestone, blank=True)
    text = models.TextField()
    actor = models.CharField(
        max_length=120, blank=True, help_text="Who or what acted: a person, a team, a system."
    )
    source = models.CharField(
        max_length=500,
        blank=True,
        help_text="Where this is recorded: an alert, a log line, a chat message, a deploy.",
    )
    highlighted = models.BooleanField(default=False, help_text="A key event of the incident.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every edit; an edit carries the version it was loaded at.
    version = models.PositiveIntegerField(default=1)

    objects = TimelineEventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=TimelineEventKind.values),
                name="incidents_timelineevent_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(milestone__in=["", *TimelineEventMilestone.values]),
                name="incidents_timelineevent_milestone_valid",
            ),
            # Milestones are the single source of the incident's times.
            models.UniqueConstraint(
                fields=["incident", "milestone"],
                condition=~Q(milestone=""),
                name="incidents_timelineevent_milestone_once",
                violation_error_message="This incident already has that milestone.",
            ),
        ]
        indexes = [
            # The incident page and the export read the timeline in time order.
            models.Index(fields=["incident", "occurred_at"], name="incidents_event_incident_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.text[:60]}"


class TimelineEventRevision(models.Model):
    """A timeline entry as it was before an edit or a deletion: the history kept."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    # Kept (with a null event) when the entry itself is deleted.
    event = models.ForeignKey(
        TimelineEvent, null=True, on_delete=models.SET_NULL, related_name="revisions"
    )
    version = models.PositiveIntegerField()
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=16)
    milestone = models.CharField(max_length=10, blank=True)
    text = models.TextField()
    actor = models.CharField(max_length=120, blank=True)
    source = models.CharField(max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    change = models.CharField(max_length=10, choices=[("edit", "Edited"), ("delete", "Deleted")])

    class Meta:
        ordering = ["incident", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.text[:40]} v{self.version} ({self.change})"


class RoleAssignmentRole(models.TextChoices):
    COMMANDER = "commander", "Incident commander"
    OPERATIONS = "operations", "Operations lead"
    COMMUNICATIONS = "communications", "Communications lead"
    SCRIBE = "scribe", "Scribe"


class RoleAssignment(models.Model):
    Role = RoleAssignmentRole

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=16, choices=Role)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_assignments"
    )
    started_at = models.DateTimeField(default=timezone.now)
    # Null while the assignment holds; set when someone else takes the role.
    ended_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["incident", "role", "started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=RoleAssignmentRole.values),
                name="incidents_roleassignment_role_valid",
            ),
            # The role's current holder: at most one open assignment per role.
            models.UniqueConstraint(
                fields=["incident", "role"],
                condition=Q(ended_at__isnull=True),
                name="incidents_roleassignment_one_current_holder",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="incidents_roleassignment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.user}"


class StatusUpdate(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="status_updates")
    posted_at = models.DateTimeField(default=timezone.now)
    known = models.TextField(help_text="What we know.")
    unknown = models.TextField(blank=True, help_text="What we do not know yet.")
    impact = models.TextField(help_text="Who is affected and how.")
    mitigation = models.TextField(blank=True, help_text="What we are doing about it.")
    next_update_due = models.DateTimeField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-posted_at"]
        get_latest_by = "posted_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(next_update_due__gt=models.F("posted_at")),
                name="incidents_statusupdate_next_after_posted",
                violation_error_message="The next update must be due after this one.",
            ),
        ]

    def __str__(self) -> str:
        return f"Status {self.posted_at:%Y-%m-%d %H:%M}"


class Checkpoint(models.Model):
    """The shift-change packet: what the next commander needs to take over."""

    # What a person fills in (the form) and a service may set.
    PACKET_FIELDS = (
        "state",
        "hypothesis",
        "customer_impact",
        "in_flight_actions",
        "decision_point",
        "comms_cadence",
        "next_decision_at",
    )

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="checkpoints")
    recorded_at = models.DateTimeField(default=timezone.now)
    state = models.TextField(help_text="Where things stand.")
    hypothesis = models.TextField(blank=True, help_text="The current working hypothesis.")
    customer_impact = models.TextField()
    in_flight_actions = models.TextField(blank=True)
    decision_point = models.TextField(blank=True, help_text="The user decision point, if any.")
    comms_cadence = models.CharField(max_length=120, blank=True)
    next_decision_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"Checkpoint {self.recorded_at:%Y-%m-%d %H:%M}"


class ImpactScope(models.Model):
    """One row of the impact-scope table; "unknown" is an honest answer."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="impact_scopes")
    position = models.PositiveIntegerField(default=0)
    user_group = models.CharField(max_length=200, help_text="Affected users or tenant.")
    fault_domain = models.CharField(max_length=200, blank=True)
    dependency = models.CharField(max_length=200, blank=True)
    recent_change = models.CharField(max_length=200, blank=True, help_text="Recent change marker.")
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["incident", "position", "pk"]

    def __str__(self) -> str:
        return self.user_group


class ChecklistItemStage(models.TextChoices):
    DETECTION = "detection", "Stage 1 — Detection"
    CONTAIN = "contain", "Stage 2 — Contain & Mitigate"
    REPAIR = "repair", "Stage 3 — Root Cause & Repair"
    POST_RESOLUTION = "post_resolution", "Stage 4 — Post-Resolution"


class ChecklistItem(models.Model):
    """An item of the triage pulse: four stages of checks (pulse seed)."""

    Stage = ChecklistItemStage

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="checklist")
    stage = models.CharField(max_length=16, choices=Stage)
    position = models.PositiveIntegerField(default=0)
    text = models.CharField(max_length=300)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["incident", "stage", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=ChecklistItemStage.values),
                name="incidents_checklistitem_stage_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def done(self) -> bool:
        return self.done_at is not None
