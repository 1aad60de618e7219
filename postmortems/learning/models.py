"""Comments (threaded, with @mentions), the notifications they cause, and
share links to a redacted copy of a postmortem.

A comment's target is explicit nullable foreign keys, not a content-type
generic relation: each target then has a real database constraint (deleting
a factor deletes its comments instead of leaving a dangling id), the panel
loads every target with one ``select_related``, and the visibility rule
always runs through the comment's own ``incident``.
"""

import datetime as dt
from typing import Self

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from actions.models import ActionItem
from incidents.access import visibility_q
from incidents.models import Incident, TimelineEvent
from postmortems.models import ContributingFactor, Postmortem, Section

TARGETS = ("section", "factor", "event", "action")


class CommentQuerySet(models.QuerySet["Comment"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        return self.filter(visibility_q(user, "incident"))

    def threads(self) -> Self:
        return self.filter(parent__isnull=True)


class Comment(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="comments")
    # Replies hang off the thread's first comment; a reply of a reply is not kept nested.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.CASCADE)
    factor = models.ForeignKey(ContributingFactor, null=True, blank=True, on_delete=models.CASCADE)
    event = models.ForeignKey(TimelineEvent, null=True, blank=True, on_delete=models.CASCADE)
    action = models.ForeignKey(ActionItem, null=True, blank=True, on_delete=models.CASCADE)
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One target at most: none means the incident as a whole.
            models.CheckConstraint(
                condition=(
                    Q(section__isnull=True, factor__isnull=True, event__isnull=True)
                    | Q(section__isnull=True, factor__isnull=True, action__isnull=True)
                    | Q(section__isnull=True, event__isnull=True, action__isnull=True)
                    | Q(factor__isnull=True, event__isnull=True, action__isnull=True)
                ),
                name="learning_comment_one_target",
            ),
            # Only a thread (not a reply) is resolved.
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(resolved_at__isnull=True),
                name="learning_comment_reply_not_resolved",
            ),
        ]
        indexes = [
            # The comments panel lists one incident's threads in order.
            models.Index(fields=["incident", "created_at"], name="learning_comment_incident"),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def target(self) -> models.Model | None:
        return next((getattr(self, name) for name in TARGETS if getattr(self, f"{name}_id")), None)


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: AbstractBaseUser) -> Self:
        """The user's notifications of comments they may still see (a responder
        taken off a restricted incident loses them)."""
        return self.filter(recipient=user).filter(visibility_q(user, "comment__incident"))

    def unread(self) -> Self:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An @mention of the recipient in a comment: one per person per comment."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Mentions notify once, however often the name is written.
            models.UniqueConstraint(
                fields=["recipient", "comment"], name="learning_notification_once"
            ),
        ]
        indexes = [
            # The nav's unread count.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="learning_notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} mentioned in comment {self.comment_id}"


class ShareLinkQuerySet(models.QuerySet["ShareLink"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> Self:
        return self.filter(visibility_q(user, "postmortem__incident"))

    def live(self, now: dt.datetime) -> Self:
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ShareLink(models.Model):
    """A read-only, redacted copy of a finished postmortem for a wider
    audience. The copy is made when the link is made (``blocks``), so later
    edits never leak into it; the signed token carries the link's id."""

    postmortem = models.ForeignKey(Postmortem, on_delete=models.CASCADE, related_name="shares")
    # The parts chosen as shareable, by key, and the redacted copy of them:
    # [{"key", "title", "markdown"}], in the document's order.
    parts = models.JSONField(default=list)
    blocks = models.JSONField(default=list)
    # How many secrets and PII findings the copy had replaced.
    redactions = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="learning_sharelink_expires_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"Share of {self.postmortem_id} until {self.expires_at:%Y-%m-%d}"

    def is_live(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    def revoke(self, *, by: AbstractBaseUser) -> None:
        self.revoked_at = timezone.now()
        self.revoked_by = by
        self.save(update_fields=["revoked_at", "revoked_by"])
