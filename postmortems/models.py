import datetime as dt
import uuid
from pathlib import Path
from typing import Self

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from incidents.access import visibility_q
from incidents.models import Incident
from postmortems.kinds import TEMPLATES, Kind

REVIEW_DEADLINE = dt.timedelta(hours=48)
KIND_CHOICES = [(kind.value, template.label) for kind, template in TEMPLATES.items()]


class PostmortemQuerySet(models.QuerySet["Postmortem"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        return self.filter(visibility_q(user, "incident"))

    def unfinished(self) -> Self:
        return self.filter(state__in=[Postmortem.State.DRAFT, Postmortem.State.IN_REVIEW])


class PostmortemState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    FINAL = "final", "Final"
    CLOSED = "closed", "Closed"


class Postmortem(models.Model):
    Kind = Kind

    State = PostmortemState

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="postmortem")
    kind = models.CharField(max_length=8, choices=KIND_CHOICES)
    state = models.CharField(max_length=10, choices=State, default=State.DRAFT)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitating",
    )
    # Where the hotfix seed's per-change logs live (read from triage
    # frontmatter); checked against EXPORT_LOG_ROOTS before anything is written.
    log_root = models.CharField(max_length=500, blank=True)
    review_meeting_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    finalized_at = models.DateTimeField(null=True, blank=True)
    related_incidents = models.ManyToManyField(
        Incident, blank=True, related_name="related_postmortems"
    )
    # Bumped by every workflow change, so two facilitators cannot both move it.
    version = models.PositiveIntegerField(default=1)

    objects = PostmortemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in Kind]),
                name="postmortems_postmortem_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "in_review", "final", "closed"]),
                name="postmortems_postmortem_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "in_review"]) | Q(finalized_at__isnull=False),
                name="postmortems_postmortem_final_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Postmortem of {self.incident.ref}"

    def get_absolute_url(self) -> str:
        return reverse("postmortems:detail", args=[self.incident.ref])

    def due_at(self, resolved_at: dt.datetime | None) -> dt.datetime | None:
        """48 hours after resolution (review seed); the resolution time comes
        from the incident's ``resolved`` milestone, never typed twice."""
        return resolved_at + REVIEW_DEADLINE if resolved_at else None


class Section(models.Model):
    """A narrative part of the postmortem; which ones exist is the template's choice."""

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=40)
    title = models.CharField(max_length=120)
    position = models.PositiveIntegerField()
    body = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["postmortem", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["postmortem", "key"], name="postmortems_section_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ImpactField(models.Model):
    """A labelled impact value of the template (affected users, SLO budget ...)."""

    postmortem = models.ForeignKey(
        Postmortem, on_delete=models.CASCADE, related_name="impact_fields"
    )
    key = models.SlugField(max_length=40)
    value = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["postmortem", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["postmortem", "key"], name="postmortems_impactfield_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"


class ContributingFactorLayer(models.TextChoices):
    TECHNICAL_TRIGGER = "technical_trigger", "Technical trigger"
    DETECTION_GAP = "detection_gap", "Detection gap"
    ROLLOUT_CONTROL_GAP = "rollout_control_gap", "Rollout / control gap"
    RESPONSIBILITY_GAP = "responsibility_gap", "Responsibility / runbook gap"
    ORGANIZATIONAL = "organizational", "Organizational trade-off"


class ContributingFactorStatus(models.TextChoices):
    CANDIDATE = "candidate", "Candidate (to verify)"
    VERIFIED = "verified", "Verified"


class ContributingFactor(models.Model):
    Layer = ContributingFactorLayer
    Status = ContributingFactorStatus

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="factors")
    layer = models.CharField(max_length=20, choices=Layer)
    description = models.TextField()
    status = models.CharField(max_length=10, choices=Status, default=Status.CANDIDATE)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["postmortem", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(layer__in=ContributingFactorLayer.values),
                name="postmortems_contributingfactor_layer_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ContributingFactorStatus.values),
                name="postmortems_contributingfactor_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_layer_display()}: {self.description[:60]}"


class Why(models.Model):
    """One link of the 5-whys chain: the question and the answer that leads on."""

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="whys")
    position = models.PositiveIntegerField(default=0)
    question = models.CharField(max_length=300)
    answer = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["postmortem", "position", "pk"]
        verbose_name_plural = "whys"

    def __str__(self) -> str:
        return self.question


class SignOff(models.Model):
    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="signoffs")
    role = models.CharField(max_length=80)
    position = models.PositiveIntegerField(default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["postmortem", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["postmortem", "role"], name="postmortems_signoff_role_unique"
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | Q(user__isnull=False),
                name="postmortems_signoff_signed_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return self.role


class Revision(models.Model):
    """Who changed what, and the content it changed to: the revision history."""

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="revisions")
    target = models.CharField(max_length=80, help_text='What changed, e.g. "section:summary".')
    version = models.PositiveIntegerField()
    summary = models.CharField(max_length=200)
    content = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["postmortem", "created_at", "pk"]
        indexes = [
            # The history panel lists one target's revisions newest first.
            models.Index(
                fields=["postmortem", "target", "-version"], name="postmortems_rev_target"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} v{self.version}"


class ExportRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    COMPLETE = "complete", "Complete"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    BLOCKED = "blocked", "Blocked"
    FAILED = "failed", "Failed"


class ExportRun(models.Model):
    """One run of the export task and the JSON output contract it answered."""

    Status = ExportRunStatus

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="exports")
    status = models.CharField(max_length=16, choices=Status, default=Status.QUEUED)
    # The facilitator chose to replace each finding with [REDACTED:<kind>].
    redact = models.BooleanField(default=False)
    # The step a running export is at, shown while the page polls.
    progress = models.CharField(max_length=80, blank=True)
    contract = models.JSONField(default=dict, blank=True)
    # Secrets and PII found, by location only: never the value itself.
    findings = models.JSONField(default=list, blank=True)
    # Every file of the run: absolute path, its role, and whether it changed.
    files = models.JSONField(default=list, blank=True)
    # The Markdown as exported (after redaction), for the download.
    markdown = models.TextField(blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    commit_sha = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ExportRunStatus.values),
                name="postmortems_exportrun_status_valid",
            ),
            # One export at a time per postmortem: a second click while one is
            # queued or running finds it (export_request) instead of racing it.
            models.UniqueConstraint(
                fields=["postmortem"],
                condition=Q(status__in=["queued", "running"]),
                name="postmortems_exportrun_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"Export of {self.postmortem_id}: {self.status}"

    @property
    def active(self) -> bool:
        return self.status in (ExportRunStatus.QUEUED, ExportRunStatus.RUNNING)


def attachment_path(instance: "Attachment", filename: str) -> str:
    # Never the user's file name on disk: it may be anything.
    suffix = Path(filename).suffix.lower()[:10]
    return f"attachments/{instance.postmortem_id}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """Supporting data stored by the app (graphs, screenshots); served only
    through a view that applies the visibility rule, never as public media."""

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    caption = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["postmortem", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.caption or self.original_name


class CheckOverride(models.Model):
    """The facilitator's decision to let one failing check stand, with why
    (checks/__init__.py). Recorded, and listed in the exported quality checklist."""

    postmortem = models.ForeignKey(
        Postmortem, on_delete=models.CASCADE, related_name="check_overrides"
    )
    # Not ``check``: a model's check() runs Django's system checks.
    check_name = models.CharField(max_length=40)
    reason = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["postmortem", "check_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["postmortem", "check_name"], name="postmortems_checkoverride_once_per_check"
            ),
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="postmortems_checkoverride_has_reason",
                violation_error_message="Say why this check may stand.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.check_name} overridden on {self.postmortem_id}"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> Self:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal token for the JSON API. Only its SHA-256 digest is stored;
    the token itself is shown once, when it is created (postmortems/api/auth.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80, help_text="What the token is for, e.g. “CI alerts”.")
    # The first characters of the token, to tell tokens apart on the page.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class CiFailure(models.Model):
    """One failed run of a CI workflow (GitHub Actions' workflow_run webhook):
    the second failure of a workflow on a branch within the window opens a
    pulse incident (postmortems/hooks.py)."""

    repository = models.CharField(max_length=200)
    workflow = models.CharField(max_length=200)
    branch = models.CharField(max_length=255)
    run_id = models.BigIntegerField()
    run_attempt = models.PositiveIntegerField(default=1)
    run_url = models.URLField(max_length=500)
    failed_at = models.DateTimeField()
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="ci_failures"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["failed_at", "pk"]
        constraints = [
            # A redelivered webhook is the same failure, not another one.
            models.UniqueConstraint(
                fields=["repository", "run_id", "run_attempt"],
                name="postmortems_cifailure_run_once",
            ),
        ]
        indexes = [
            # hooks.ci_failure_record: this workflow's failures on this branch in the window.
            models.Index(
                fields=["repository", "workflow", "branch", "failed_at"],
                name="postmortems_cifailure_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workflow} on {self.branch}: run {self.run_id}/{self.run_attempt}"
