"""Workflows that create or change action items."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Max

from actions.models import ActionItem
from postmortems.models import Postmortem
from postmortems.services import record_revision


def action_capture(
    *,
    postmortem: Postmortem,
    by: AbstractBaseUser,
    title: str,
    category: str,
    owner: AbstractBaseUser | None = None,
    owner_team: str = "",
    due_date: dt.date | None = None,
    priority: str = ActionItem.Priority.P2,
) -> ActionItem:
    """Add the postmortem's next action item (AI-001, AI-002 ...) and record who added it."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                last = postmortem.actions.aggregate(last=Max("number"))["last"] or 0
                action = ActionItem.objects.create(
                    postmortem=postmortem,
                    number=last + 1,
                    title=title,
                    category=category,
                    owner=owner,
                    owner_team=owner_team,
                    due_date=due_date,
                    priority=priority,
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
