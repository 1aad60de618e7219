"""Compare-and-set saves: the one way an edit is accepted or refused.

Every editable row carries a ``version``. An edit says which version it was
made to; the UPDATE only matches that version, so of two people who loaded
version 3, exactly one saves version 4 and the other is told (StaleVersion,
409 in the views) with the current row to show beside what they typed.
Imports no domain models.
"""

from django.db import models
from django.db.models import F


class StaleVersion(Exception):
    """Someone saved first; ``current`` is the row as it is now."""

    def __init__(self, current: models.Model):
        self.current = current
        super().__init__(f"{type(current).__name__} {current.pk} is at version {current.version}")


def normalize_text(text: str) -> str:
    """Line endings as \\n, no trailing whitespace on lines or at the end."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).rstrip()


def same_text(a: str, b: str) -> bool:
    """An autosave that only changes whitespace or line endings changes nothing."""
    return normalize_text(a) == normalize_text(b)


def save_if_current[M: models.Model](instance: M, *, version: int, **changes) -> M:
    """Apply ``changes`` only if the row is still at ``version``; bump it.

    Returns the saved row; raises StaleVersion with the current row otherwise.
    """
    model = type(instance)
    updated = model._default_manager.filter(pk=instance.pk, version=version).update(
        version=F("version") + 1, **changes
    )
    current = model._default_manager.get(pk=instance.pk)
    if not updated:
        raise StaleVersion(current)
    return current
