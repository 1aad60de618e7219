"""What the actions dashboard lists: filtered items in a bucket, ordered and grouped.

Read-only, and shared by the page, its CSV export and the benchmark, so that
all three show the same items for the same query string.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Case, Count, F, Q, QuerySet, Value, When

from actions.models import ActionItem, Bucket

# The bucket value that lists every item, closed ones too; no bucket lists open items.
ALL = "all"


def _owner_title(action: ActionItem) -> str:
    return action.owner_label if action.owner_id else "Owned by a team"


@dataclass(frozen=True)
class Grouping:
    label: str
    # The field the rows are grouped on, as .values() names it.
    path: str
    order: tuple
    key: Callable[[ActionItem], Any]
    title: Callable[[ActionItem], str]


GROUPINGS = {
    "owner": Grouping(
        "Owner",
        "owner",
        (F("owner__first_name").asc(nulls_last=True), F("owner__last_name"), "owner"),
        lambda action: action.owner_id,
        _owner_title,
    ),
    "team": Grouping(
        "Team",
        "owner_team",
        # Items owned by a person (no team) come last.
        (Case(When(owner_team="", then=Value(1)), default=Value(0)), "owner_team"),
        lambda action: action.owner_team,
        lambda action: action.owner_team or "No team: owned by a person",
    ),
    "postmortem": Grouping(
        "Postmortem",
        "postmortem",
        (F("postmortem__created_at").desc(), "postmortem"),
        lambda action: action.postmortem_id,
        lambda action: f"{action.postmortem.incident.ref} · {action.postmortem.incident.title}",
    ),
    "severity": Grouping(
        "Severity",
        "postmortem__incident__severity",
        ("postmortem__incident__severity",),
        lambda action: action.postmortem.incident.severity,
        lambda action: action.postmortem.incident.get_severity_display(),
    ),
    "priority": Grouping(
        "Priority",
        "priority",
        ("priority",),
        lambda action: action.priority,
        lambda action: action.get_priority_display(),
    ),
}
GROUP_CHOICES = [(name, grouping.label) for name, grouping in GROUPINGS.items()]

DUE_FIRST = (F("due_date").asc(nulls_last=True), "pk")
BUCKET_ORDER = {
    Bucket.STALE: (F("updated_at").asc(), "pk"),
    Bucket.DONE_MONTH: (F("verified_at").desc(), "pk"),
}


def teams_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet:
    """The owning teams of the items this user may see: the team filter's choices."""
    return (
        ActionItem.objects.visible_to(user)
        .exclude(owner_team="")
        .order_by("owner_team")
        .values_list("owner_team", flat=True)
        .distinct()
    )


def narrowed(user: AbstractBaseUser, filters: dict) -> QuerySet[ActionItem]:
    """The items this user may see, narrowed by every filter but the bucket."""
    actions = ActionItem.objects.visible_to(user)
    if team := filters.get("team"):
        actions = actions.filter(owner_team=team)
    if owner := filters.get("owner"):
        actions = actions.filter(owner=owner)
    if priorities := filters.get("priority"):
        actions = actions.filter(priority__in=priorities)
    if category := filters.get("category"):
        actions = actions.filter(category=category)
    if filters.get("mine"):
        actions = actions.owned_by(user)
    return actions


def listed(
    actions: QuerySet[ActionItem], *, bucket: str, group: str, now: dt.datetime
) -> QuerySet[ActionItem]:
    """One bucket's items in the order shown: by group, then the bucket's own order."""
    if bucket in Bucket.values:
        actions = actions.in_bucket(bucket, now)
    elif bucket != ALL:
        actions = actions.open()
    order = BUCKET_ORDER.get(bucket, DUE_FIRST)
    if grouping := GROUPINGS.get(group):
        order = (*grouping.order, *order)
    return actions.select_related("postmortem__incident", "owner").order_by(*order)


@dataclass
class Group:
    title: str
    total: int
    actions: list[ActionItem] = field(default_factory=list)


def grouped(rows: Iterable[ActionItem], actions: QuerySet, grouping: Grouping) -> list[Group]:
    """A page's rows in runs of one group each, with each group's total over
    every page: one query, whatever the number of groups."""
    rows = list(rows)
    keys = {grouping.key(action) for action in rows}
    on_page = Q(**{f"{grouping.path}__in": keys - {None}})
    if None in keys:
        on_page |= Q(**{f"{grouping.path}__isnull": True})
    totals = dict(
        actions.filter(on_page)
        .order_by()
        .values(grouping.path)
        .annotate(n=Count("pk"))
        .values_list(grouping.path, "n")
    )
    groups: list[Group] = []
    for action in rows:
        key = grouping.key(action)
        if not groups or grouping.key(groups[-1].actions[0]) != key:
            groups.append(Group(grouping.title(action), totals.get(key, 0)))
        groups[-1].actions.append(action)
    return groups
