"""Insights for managers, over the incidents the viewer may see.

Each chart is one query plus arithmetic here, so the numbers can be checked
by hand (tests/learning/test_insights.py recomputes them independently):

- incidents per month (declared, in the current time zone) by severity;
- time to detect, mitigate and resolve (incidents/durations.py, from the
  milestones) per quarter of the impact start: median, and p90 by the
  nearest-rank method (the value at rank ceil(0.9 n));
- contributing factors per quarter of their incident, by layer;
- action items opened per month (created) and closed per month (done: when
  verified; won't do: when last changed), and the age of those still open;
- reviews per month of resolution: finished (Final) within 48 hours of the
  resolution, finished later, or not finished.
"""

import datetime as dt
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.safestring import SafeString

from actions.models import OPEN_STATUSES, ActionItem
from incidents.durations import IncidentTimes
from incidents.models import Incident, TimelineEvent
from postmortems.learning import svg
from postmortems.models import REVIEW_DEADLINE, ContributingFactor, Postmortem

SEVERITIES = Incident.Severity
AGE_BUCKETS = [(7, "0-7 days"), (30, "8-30 days"), (90, "31-90 days"), (None, "Over 90 days")]


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    columns: list[str]
    rows: list[list]
    svg: SafeString


def month(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m}"


def quarter(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


def _months(keys: set[str]) -> list[str]:
    """Every month from the first to the last, gaps included."""
    if not keys:
        return []
    year, mon = map(int, min(keys).split("-"))
    last, out = max(keys), []
    while (key := f"{year}-{mon:02d}") <= last:
        out.append(key)
        year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return out


def _quarters(keys: set[str]) -> list[str]:
    if not keys:
        return []
    year, q = int(min(keys)[:4]), int(min(keys)[-1])
    last, out = max(keys), []
    while (key := f"{year}-Q{q}") <= last:
        out.append(key)
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def incidents_per_month(user: AbstractBaseUser) -> Chart:
    counts: Counter[tuple[str, str]] = Counter(
        (month(created), severity)
        for created, severity in Incident.objects.visible_to(user).values_list(
            "created_at", "severity"
        )
    )
    months = _months({m for m, _ in counts})
    rows = [
        [
            m,
            *(counts[m, s] for s in SEVERITIES.values),
            sum(counts[m, s] for s in SEVERITIES.values),
        ]
        for m in months
    ]
    series = {label: [counts[m, value] for m in months] for value, label in SEVERITIES.choices}
    title = "Incidents per month by severity"
    return Chart(
        "incidents",
        title,
        ["Month", *SEVERITIES.labels, "Total"],
        rows,
        svg.stacked_bars(title, months, series),
    )


METRICS = [
    ("TTD", "time_to_detect"),
    ("TTM", "time_to_mitigate"),
    ("TTR", "time_to_resolve"),
]


def durations_per_quarter(user: AbstractBaseUser) -> Chart:
    milestones: dict[int, dict[str, dt.datetime]] = defaultdict(dict)
    events = TimelineEvent.objects.filter(
        incident__in=Incident.objects.visible_to(user).values("pk"),
        milestone__in=["started", "detected", "mitigated", "resolved"],
    )
    for incident, name, at in events.values_list("incident_id", "milestone", "occurred_at"):
        milestones[incident][name] = at
    minutes: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    counted: Counter[str] = Counter()
    for times in milestones.values():
        if "started" not in times:
            continue
        key = quarter(times["started"])
        counted[key] += 1
        for short, attribute in METRICS:
            if (value := getattr(IncidentTimes(times), attribute)) is not None:
                minutes[key][short].append(value.total_seconds() / 60)
    quarters = _quarters(set(counted))
    rows, series = [], {f"{short} {stat}": [] for short, _ in METRICS for stat in ("median", "p90")}
    for key in quarters:
        row = [key, counted[key]]
        for short, _ in METRICS:
            values = minutes[key][short]
            median = round(statistics.median(values), 1) if values else None
            high = round(p90(values), 1) if values else None
            row += [median, high]
            series[f"{short} median"].append(median)
            series[f"{short} p90"].append(high)
        rows.append(row)
    columns = ["Quarter", "Incidents"] + [
        f"{short} {stat} (min)" for short, _ in METRICS for stat in ("median", "p90")
    ]
    title = "Time to detect, mitigate and resolve (minutes)"
    return Chart("durations", title, columns, rows, svg.lines(title, quarters, series))


def factors_per_quarter(user: AbstractBaseUser) -> Chart:
    layers = ContributingFactor.Layer
    counts: Counter[tuple[str, str]] = Counter(
        (quarter(created), layer)
        for created, layer in ContributingFactor.objects.filter(
            postmortem__in=Postmortem.objects.visible_to(user).values("pk")
        ).values_list("postmortem__incident__created_at", "layer")
    )
    quarters = _quarters({q for q, _ in counts})
    rows = [[q, *(counts[q, layer] for layer in layers.values)] for q in quarters]
    series = {label: [counts[q, value] for q in quarters] for value, label in layers.choices}
    title = "Contributing factors by layer per quarter"
    return Chart(
        "factors",
        title,
        ["Quarter", *layers.labels],
        rows,
        svg.stacked_bars(title, quarters, series),
    )


def _actions(user: AbstractBaseUser):
    return ActionItem.objects.visible_to(user).values_list(
        "created_at", "status", "verified_at", "updated_at"
    )


def actions_opened_closed(user: AbstractBaseUser) -> Chart:
    opened: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    for created, status, verified, updated in _actions(user):
        opened[month(created)] += 1
        if status == ActionItem.Status.DONE:
            closed[month(verified or updated)] += 1
        elif status == ActionItem.Status.WONT_DO:
            closed[month(updated)] += 1
    months = _months(set(opened) | set(closed))
    rows = [[m, opened[m], closed[m]] for m in months]
    title = "Action items opened and closed per month"
    series = {"Opened": [opened[m] for m in months], "Closed": [closed[m] for m in months]}
    return Chart(
        "actions", title, ["Month", "Opened", "Closed"], rows, svg.lines(title, months, series)
    )


def open_action_ages(user: AbstractBaseUser, now: dt.datetime | None = None) -> Chart:
    now = now or timezone.now()
    ages: Counter[str] = Counter()
    for created, status, _, _ in _actions(user):
        if status in OPEN_STATUSES:
            days = (now - created).days
            label = next(lab for limit, lab in AGE_BUCKETS if limit is None or days <= limit)
            ages[label] += 1
    labels = [label for _, label in AGE_BUCKETS]
    rows = [[label, ages[label]] for label in labels]
    title = "Age of open action items"
    return Chart(
        "action-ages",
        title,
        ["Age", "Open items"],
        rows,
        svg.stacked_bars(title, labels, {"Open items": [ages[label] for label in labels]}),
    )


def reviews_within_deadline(user: AbstractBaseUser, now: dt.datetime | None = None) -> Chart:
    now = now or timezone.now()
    resolved = TimelineEvent.objects.filter(
        incident=OuterRef("incident"), milestone=TimelineEvent.Milestone.RESOLVED
    ).values("occurred_at")[:1]
    reviews = (
        Postmortem.objects.visible_to(user)
        .annotate(resolved_at=Subquery(resolved))
        .filter(resolved_at__isnull=False)
        .values_list("resolved_at", "finalized_at")
    )
    counts: Counter[tuple[str, str]] = Counter()
    for resolved_at, finalized_at in reviews:
        if finalized_at is None:
            outcome = "open"
        elif finalized_at <= resolved_at + REVIEW_DEADLINE:
            outcome = "on_time"
        else:
            outcome = "late"
        counts[month(resolved_at), outcome] += 1
    months = _months({m for m, _ in counts})
    rows = []
    for m in months:
        on_time, late, still = counts[m, "on_time"], counts[m, "late"], counts[m, "open"]
        total = on_time + late + still
        share = round(100 * on_time / total) if total else None
        rows.append([m, total, on_time, late, still, share])
    series = {
        "Within 48 h": [counts[m, "on_time"] for m in months],
        "Later": [counts[m, "late"] for m in months],
        "Not finished": [counts[m, "open"] for m in months],
    }
    title = "Reviews finished within 48 hours of resolution"
    return Chart(
        "reviews",
        title,
        ["Month resolved", "Reviews", "Within 48 h", "Later", "Not finished", "% within 48 h"],
        rows,
        svg.stacked_bars(title, months, series),
    )


CHARTS: dict[str, Callable[[AbstractBaseUser], Chart]] = {
    "incidents": incidents_per_month,
    "durations": durations_per_quarter,
    "factors": factors_per_quarter,
    "actions": actions_opened_closed,
    "action-ages": open_action_ages,
    "reviews": reviews_within_deadline,
}
