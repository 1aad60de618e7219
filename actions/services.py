"""Workflows that create or change action items."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from actions.models import ActionItem
from postmortems.models import Postmortem
from postmortems.services import record_revision
from postmortems.versioning import save_if_current


def action_capture(
    *,
    postmortem: Postmortem,
    by: AbstractBaseUser,
    title: str,
    category: str,
    confirm_verified: bool = False,
    **details,
) -> ActionItem:
    """Add the postmortem's next action item (AI-001, AI-002 ...) and record
    who added it. ``details``: any other field (owner, due_date, priority ...)."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                last = postmortem.actions.aggregate(last=Max("number"))["last"] or 0
                action = ActionItem.objects.create(
                    postmortem=postmortem,
                    number=last + 1,
                    title=title,
                    category=category,
                    **details,
                    **_verification(None, details.get("status", ""), by, confirm_verified),
                )
                # Recorded and announced like every change to the document.
                record_revision(
                    postmortem,
                    target=f"action:{action.ref}",
                    version=action.version,
                    summary=f"Captured {action.ref}",
                    content=title,
                    by=by,
                )
                return action
        except IntegrityError:
            # Someone captured an action at the same moment and took the
            # number: read the new maximum once more.
            if attempt:
                raise
    raise AssertionError("unreachable")


def _verification(was: str | None, status: str, by: AbstractBaseUser, confirmed: bool) -> dict:
    """Who confirmed the signal, and when: recorded as an item becomes done,
    kept while it stays done, cleared if it is reopened."""
    if status != ActionItem.Status.DONE:
        return {"verified_by": None, "verified_at": None}
    if was == ActionItem.Status.DONE or not confirmed:
        return {}
    return {"verified_by": by, "verified_at": timezone.now()}


@transaction.atomic
def action_update(
    *, action: ActionItem, by: AbstractBaseUser, version: int, confirm_verified=False, **changes
) -> ActionItem:
    """Save an edit made to ``version`` (StaleVersion if someone saved first)
    and record it."""
    current = ActionItem.objects.get(pk=action.pk)
    if all(getattr(current, name) == value for name, value in changes.items()):
        return current
    status = changes.get("status", current.status)
    verification = _verification(current.status, status, by, confirm_verified)
    saved = save_if_current(current, version=version, **changes, **verification)
    record_revision(
        saved.postmortem,
        target=f"action:{saved.ref}",
        version=saved.version,
        summary=f"Edited {saved.ref} ({saved.get_status_display().lower()})",
        content=saved.title,
        by=by,
    )
    return saved
