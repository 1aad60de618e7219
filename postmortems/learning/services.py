"""Comment workflows: add (with @mentions that notify once), resolve, reopen.

Each accepted change announces "comments" on the incident's live channel
inside its transaction, so every open page re-fetches its comments panel
after the commit.
"""

import logging
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from postmortems import live
from postmortems.learning.models import Comment, Notification

log = logging.getLogger(__name__)

# @username: Django's username characters; a trailing dot ends a sentence.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")
MAX_MENTIONS = 20


def mentioned_usernames(body: str) -> set[str]:
    return {name.rstrip(".") for name in MENTION.findall(body)}


def _name(user: AbstractBaseUser | None) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _changed(incident: Incident, by: AbstractBaseUser | None, version: int) -> None:
    live.announce(incident=incident.pk, target="comments", version=version, actor=_name(by))


@transaction.atomic
def comment_add(
    *,
    incident: Incident,
    by: AbstractBaseUser,
    body: str,
    parent: Comment | None = None,
    target: tuple[str, object] | None = None,
) -> Comment:
    """A new thread (on ``target``, a (name, row) pair, or the whole incident)
    or a reply to ``parent``'s thread. Everyone @mentioned who may see the
    incident is notified once, in the app and by email after the commit."""
    if parent is not None:
        parent = parent.parent or parent  # replies stay one level deep
        target = None
    comment = Comment(incident=incident, parent=parent, body=body, author=by)
    if target is not None:
        name, row = target
        setattr(comment, name, row)
    comment.save()
    _notify(comment, by=by)
    _changed(incident, by, comment.pk)
    return comment


def _notify(comment: Comment, *, by: AbstractBaseUser) -> list[Notification]:
    names = mentioned_usernames(comment.body)
    if not names:
        return []
    # Only people who may see the incident: a mention never reveals a
    # restricted incident to an outsider.
    people = _may_see(comment.incident, names)
    people = [person for person in people if person.pk != by.pk]
    created = Notification.objects.bulk_create(
        [Notification(recipient=person, comment=comment) for person in people],
        ignore_conflicts=True,
    )
    emails = [person.email for person in people if person.email]
    if emails:
        transaction.on_commit(lambda: _email(comment, by=by, people=people))
    return created


def _may_see(incident: Incident, usernames: set[str]) -> list[AbstractBaseUser]:
    """The named users the visibility rule lets see the incident (a comment
    names a handful of people: one check each)."""
    users = get_user_model().objects.filter(username__in=sorted(usernames)[:MAX_MENTIONS])
    return [
        user
        for user in users.filter(is_active=True)
        if Incident.objects.visible_to(user).filter(pk=incident.pk).exists()
    ]


def _email(comment: Comment, *, by: AbstractBaseUser, people: list[AbstractBaseUser]) -> None:
    link = f"{settings.SITE_URL}{reverse('learning:notifications')}"
    subject = f"{_name(by)} mentioned you on {comment.incident.ref}"
    body = f"{_name(by)} wrote on {comment.incident.ref}:\n\n{comment.body}\n\nSee it: {link}\n"
    messages = [(subject, body, None, [person.email]) for person in people if person.email]
    # A mail outage must not undo the comment: it is saved, and in the app.
    try:
        send_mass_mail(messages)
    except Exception:
        log.warning("mentions: could not email comment %s", comment.pk, exc_info=True)
        return
    Notification.objects.filter(comment=comment, recipient__in=people).update(
        emailed_at=timezone.now()
    )


@transaction.atomic
def comment_resolve(*, comment: Comment, by: AbstractBaseUser, resolved: bool) -> Comment:
    """Resolve or reopen a thread."""
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = by if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    _changed(comment.incident, by, comment.pk)
    return comment


def notifications_read(*, user: AbstractBaseUser) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
