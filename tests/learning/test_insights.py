"""Each insight's numbers on a seeded data set, the right answers worked out
here by hand, not by the code under test."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from postmortems.learning import insights
from tests.factories import (
    ActionItemFactory,
    ContributingFactorFactory,
    IncidentFactory,
    PostmortemFactory,
    TimelineEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _incident(created, severity, minutes=None, restricted=False):
    """minutes: (detect, mitigate, resolve) after the start, which is ``created``."""
    incident = IncidentFactory(created_at=created, severity=severity, restricted=restricted)
    if minutes:
        TimelineEventFactory(incident=incident, occurred_at=created, milestone="started")
        for name, offset in zip(("detected", "mitigated", "resolved"), minutes, strict=True):
            when = created + dt.timedelta(minutes=offset)
            TimelineEventFactory(incident=incident, occurred_at=when, milestone=name)
    return incident


@pytest.fixture
def seeded(settings):
    settings.TIME_ZONE = "UTC"
    timezone.activate("UTC")
    a = _incident(at(1, 5), "SEV-1", (10, 30, 60))
    b = _incident(at(1, 20), "SEV-2", (20, 40, 100))
    c = _incident(at(2, 3), "SEV-2", (5, 15, 30))
    d = _incident(at(4, 1), "SEV-3", (40, 50, 300))
    _incident(at(2, 10), "SEV-1", (1, 1, 1), restricted=True)  # never counted
    pa = PostmortemFactory(incident=a, state="final", finalized_at=at(1, 6))  # 47 h after
    pb = PostmortemFactory(incident=b, state="final", finalized_at=at(1, 25))  # late
    PostmortemFactory(incident=c)  # not finished
    pd = PostmortemFactory(incident=d)
    ContributingFactorFactory(postmortem=pa, layer="technical_trigger")
    ContributingFactorFactory(postmortem=pb, layer="detection_gap")
    ContributingFactorFactory(postmortem=pd, layer="detection_gap")
    ActionItemFactory(postmortem=pa, created_at=at(1, 6), status="open")
    ActionItemFactory(
        postmortem=pb,
        created_at=at(1, 25),
        status="done",
        verified_at=at(3, 2),
        verified_by=UserFactory(),
    )
    return UserFactory()


def test_incidents_per_month_by_severity(seeded):
    chart = insights.incidents_per_month(seeded)
    assert chart.rows == [
        ["2026-01", 1, 1, 0, 0, 2],
        ["2026-02", 0, 1, 0, 0, 1],
        ["2026-03", 0, 0, 0, 0, 0],
        ["2026-04", 0, 0, 1, 0, 1],
    ]
    assert "<svg" in chart.svg


def test_durations_median_and_p90_per_quarter(seeded):
    rows = insights.durations_per_quarter(seeded).rows
    # Q1: TTD 10, 20, 5 -> median 10, p90 (rank 3 of 3) 20; TTM 30, 40, 15; TTR 60, 100, 30.
    assert rows == [
        ["2026-Q1", 3, 10.0, 20.0, 30.0, 40.0, 60.0, 100.0],
        ["2026-Q2", 1, 40.0, 40.0, 50.0, 50.0, 300.0, 300.0],
    ]


def test_factors_by_layer_per_quarter(seeded):
    rows = insights.factors_per_quarter(seeded).rows
    assert rows == [["2026-Q1", 1, 1, 0, 0, 0], ["2026-Q2", 0, 1, 0, 0, 0]]


def test_actions_opened_closed_and_ages(seeded):
    assert insights.actions_opened_closed(seeded).rows == [
        ["2026-01", 2, 0],
        ["2026-02", 0, 0],
        ["2026-03", 0, 1],
    ]
    ages = insights.open_action_ages(seeded, now=at(1, 20)).rows
    assert ages == [["0-7 days", 0], ["8-30 days", 1], ["31-90 days", 0], ["Over 90 days", 0]]


def test_reviews_within_48_hours(seeded):
    rows = insights.reviews_within_deadline(seeded).rows
    # a: resolved 5 Jan 13:00, final 6 Jan 12:00 (in time); b: resolved 20 Jan 13:40,
    # final 25 Jan (late); c: resolved 3 Feb, open; d: resolved 1 Apr, open.
    assert rows == [
        ["2026-01", 2, 1, 1, 0, 50],
        ["2026-02", 1, 0, 0, 1, 0],
        ["2026-03", 0, 0, 0, 0, None],
        ["2026-04", 1, 0, 0, 1, 0],
    ]


def test_the_page_and_csv(client, seeded, django_assert_num_queries):
    client.force_login(seeded)
    with django_assert_num_queries(8):  # session, user, one per chart
        response = client.get(reverse("learning:insights"))
    assert response.content.count(b"<svg") == 6
    csv_response = client.get(reverse("learning:insights-csv", args=["incidents"]))
    rows = list(csv.reader(io.StringIO(csv_response.content.decode())))
    assert rows[0][0] == "Month"
    assert rows[1] == ["2026-01", "1", "1", "0", "0", "2"]
    assert client.get("/insights/nope.csv").status_code == 404
