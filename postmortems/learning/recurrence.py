"""Recurrence: earlier contributing factors and action items that resemble a
new one, with their incidents and what became of their actions.

On PostgreSQL: pg_trgm's trigram similarity (migration 0002 installs the
extension), computed in the database. Elsewhere: difflib's
SequenceMatcher ratio over the candidates' text, in Python (a bounded
number of the most recent candidates).
"""

import difflib
import re
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection

from actions.models import ActionItem
from postmortems.models import ContributingFactor, Postmortem

THRESHOLD = 0.45  # difflib ratio
TRIGRAM_THRESHOLD = 0.3
SHOWN = 3
CANDIDATES = 2000  # the fallback compares at most this many recent rows


@dataclass
class Match:
    ref: str
    text: str
    score: float
    open_actions: list[str] = field(default_factory=list)  # "AI-003" of actions still open


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _ranked(candidates, field_name: str, text: str) -> list:
    if connection.vendor == "postgresql":
        return list(
            candidates.annotate(score=TrigramSimilarity(field_name, text))
            .filter(score__gte=TRIGRAM_THRESHOLD)
            .order_by("-score", "-pk")[:SHOWN]
        )
    wanted = _normal(text)
    scored = []
    for row in candidates.order_by("-pk")[:CANDIDATES]:
        row.score = difflib.SequenceMatcher(None, wanted, _normal(getattr(row, field_name))).ratio()
        if row.score >= THRESHOLD:
            scored.append(row)
    return sorted(scored, key=lambda row: (-row.score, -row.pk))[:SHOWN]


def similar_factors(user: AbstractBaseUser, factor: ContributingFactor) -> list[Match]:
    """Factors of earlier postmortems the user may see, most alike first,
    each with its actions still open."""
    candidates = (
        ContributingFactor.objects.filter(
            postmortem__in=Postmortem.objects.visible_to(user).values("pk"),
            postmortem__incident__created_at__lt=factor.postmortem.incident.created_at,
        )
        .exclude(postmortem=factor.postmortem_id)
        .select_related("postmortem__incident")
    )
    rows = _ranked(candidates, "description", factor.description)
    open_actions: dict[int, list[str]] = {}
    for action in ActionItem.objects.open().filter(factor__in=rows).order_by("number"):
        open_actions.setdefault(action.factor_id, []).append(action.ref)
    return [
        Match(row.postmortem.incident.ref, row.description, row.score, open_actions.get(row.pk, []))
        for row in rows
    ]


def similar_actions(user: AbstractBaseUser, action: ActionItem) -> list[Match]:
    """Actions of earlier postmortems with a similar title: a fix promised twice."""
    candidates = (
        ActionItem.objects.visible_to(user)
        .filter(
            postmortem__incident__created_at__lt=action.postmortem.incident.created_at,
        )
        .exclude(postmortem=action.postmortem_id)
        .select_related("postmortem__incident")
    )
    rows = _ranked(candidates, "title", action.title)
    return [
        Match(
            row.postmortem.incident.ref,
            f"{row.ref} {row.title} ({row.get_status_display()})",
            row.score,
            [row.ref] if row.status in ("open", "in_progress") else [],
        )
        for row in rows
    ]


def recurrence_context(user: AbstractBaseUser, row) -> dict:
    """What the factors or actions panel shows beside a row just added."""
    if isinstance(row, ContributingFactor):
        return {"recurrence": similar_factors(user, row), "recurrence_of": "factor"}
    if isinstance(row, ActionItem):
        return {"recurrence": similar_actions(user, row), "recurrence_of": "action item"}
    return {}
