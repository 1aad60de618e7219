"""The timeline list that every open page re-fetches on a change is rendered
once per change and shared (postmortems/fragments.py): each reader still gets
the latest entries, their own CSRF token and times in their own zone."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from incidents.services import timeline_add, timeline_edit
from tests.factories import IncidentFactory, TimelineEventFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def incident():
    incident = IncidentFactory()
    TimelineEventFactory(incident=incident, occurred_at=T0, text="Pager fired")
    return incident


def reader(**cookies) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    client.cookies.load(cookies)
    return client


def timeline(client: Client, incident) -> str:
    return client.get(reverse("incidents:timeline", args=[incident.ref])).content.decode()


def test_a_committed_change_reaches_the_next_reader(incident, django_capture_on_commit_callbacks):
    ana, ben = reader(), reader()
    assert "Pager fired" in timeline(ana, incident)
    author = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        event = timeline_add(incident=incident, author=author, text="Rollback started")
    assert "Rollback started" in timeline(ben, incident)
    with django_capture_on_commit_callbacks(execute=True):
        timeline_edit(event=event, by=author, version=1, text="Rollback finished")
    html = timeline(ana, incident)
    assert "Rollback finished" in html
    assert "Rollback started" not in html


def test_readers_after_the_first_are_served_without_rendering_again(
    incident, django_assert_num_queries
):
    timeline(reader(), incident)
    second = reader()
    # session, user, incident, the newest entries with their stamp and the
    # milestones: the entries are not rendered again.
    with django_assert_num_queries(5):
        html = timeline(second, incident)
    assert "Pager fired" in html


def test_each_reader_gets_their_own_csrf_token_in_the_entries_forms(incident):
    ana, ben = reader(), reader()
    tokens = []
    for client in (ana, ben):
        html = timeline(client, incident)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        tokens.append(token)
        # The token works: the no-JavaScript form posts with it.
        event = incident.events.get()
        response = client.post(
            reverse("incidents:timeline_highlight", args=[incident.ref, event.pk]),
            {"csrfmiddlewaretoken": token, "version": event.version, "highlighted": "0"},
        )
        assert response.status_code != 403
    assert "placeholder" not in tokens[0]
    assert tokens[0] != tokens[1]


def test_each_reader_sees_times_in_their_own_zone(incident):
    utc = timeline(reader(tz="UTC"), incident)
    tokyo = timeline(reader(tz="Asia/Tokyo"), incident)
    assert ">14:00</time>" in utc
    assert ">23:00</time>" in tokyo


def test_the_kind_filter_is_kept_apart(incident):
    TimelineEventFactory(incident=incident, occurred_at=T0, kind="decision", text="Roll back")
    everything = timeline(reader(), incident)
    client = reader()
    decisions = client.get(
        reverse("incidents:timeline", args=[incident.ref]), {"kind": "decision"}
    ).content.decode()
    assert "Pager fired" in everything
    assert "Roll back" in everything
    assert "Roll back" in decisions
    assert "Pager fired" not in decisions


def test_a_filtered_list_follows_the_start_of_impact_it_does_not_show(incident):
    # The offsets count from the "started" entry, a fact: a list of decisions
    # hides it, yet must follow it when it moves.
    started = TimelineEventFactory(
        incident=incident, occurred_at=T0, milestone="started", text="Impact started"
    )
    TimelineEventFactory(
        incident=incident, occurred_at=T0 + dt.timedelta(minutes=30), kind="decision"
    )
    client = reader()

    def decisions() -> str:
        url = reverse("incidents:timeline", args=[incident.ref])
        return client.get(url, {"kind": "decision"}).content.decode()

    assert "T+00:30" in decisions()
    with_author = UserFactory()
    timeline_edit(
        event=started, by=with_author, version=1, occurred_at=T0 + dt.timedelta(minutes=10)
    )
    assert "T+00:20" in decisions()
