import datetime as dt

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from incidents.models import Incident, RoleAssignment, TimelineEvent
from tests.factories import (
    IncidentFactory,
    PostmortemFactory,
    RoleAssignmentFactory,
    StatusUpdateFactory,
    TimelineEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("incidents:list")
T0 = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def detail(incident: Incident) -> str:
    return reverse("incidents:detail", args=[incident.ref])


# Access


def test_anonymous_is_sent_to_login(client):
    incident = IncidentFactory()
    for url in (LIST, detail(incident)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_signed_in_user_sees_open_incidents(signed_in):
    incident = IncidentFactory(title="Checkout errors in EU", restricted=False)
    response = signed_in.get(LIST)
    assertContains(response, "Checkout errors in EU")
    assertContains(response, incident.ref)
    assert signed_in.get(detail(incident)).status_code == 200


@pytest.fixture
def restricted():
    return IncidentFactory(
        title="Leaked signing key",
        restricted=True,
        declared_by=UserFactory(username="declarer"),
        responders=[UserFactory(username="named")],
    )


def test_restricted_incident_is_hidden_from_outsiders(client, outsider, restricted):
    client.force_login(outsider)
    assertNotContains(client.get(LIST), "Leaked signing key")
    assert client.get(detail(restricted)).status_code == 404


@pytest.mark.parametrize("who", ["named", "declarer", "root"])
def test_restricted_incident_reaches_its_people(client, restricted, who):
    viewer = UserFactory(username=who, is_superuser=who == "root")
    client.force_login(viewer)
    response = client.get(LIST)
    assertContains(response, "Leaked signing key")
    assertContains(response, "Restricted")
    assertContains(client.get(detail(restricted)), "Leaked signing key")


def test_unknown_ref_is_404(signed_in):
    assert signed_in.get(reverse("incidents:detail", args=["INC-2026-01-01-99"])).status_code == 404


# The list


def test_list_shows_what_a_responder_scans_for(signed_in):
    incident = IncidentFactory(
        title="Login timeouts",
        severity=Incident.Severity.SEV1,
        state=Incident.State.MITIGATED,
        is_hotfix=True,
        change_id="CHG-20261124-login-timeout",
        created_at=T0,
    )
    PostmortemFactory(incident=incident)
    response = signed_in.get(LIST)
    assertContains(response, '<span class="badge badge--sev-1"', count=1)
    assertContains(response, "Mitigated")
    assertContains(response, "CHG-20261124-login-timeout")
    assertContains(response, "2026-11-24 12:00")
    assertContains(response, "Draft")  # the postmortem's state


def test_times_are_shown_in_the_viewers_zone(signed_in):
    IncidentFactory(created_at=T0)
    signed_in.cookies["tz"] = "Europe/Berlin"
    response = signed_in.get(LIST)
    assertContains(response, "2026-11-24 13:00")
    assertContains(response, "Times are shown in <strong>Europe/Berlin</strong>")


def test_list_is_newest_first(signed_in):
    IncidentFactory(title="Older one", created_at=T0)
    IncidentFactory(title="Newer one", created_at=T0 + dt.timedelta(hours=1))
    content = signed_in.get(LIST).content.decode()
    assert content.index("Newer one") < content.index("Older one")


def test_filters_by_state_and_severity(signed_in):
    IncidentFactory(title="Active sev one", state="active", severity="SEV-1")
    IncidentFactory(title="Resolved sev one", state="resolved", severity="SEV-1")
    IncidentFactory(title="Active sev three", state="active", severity="SEV-3")
    response = signed_in.get(LIST, {"state": "active", "severity": "SEV-1"})
    assertContains(response, "Active sev one")
    assertNotContains(response, "Resolved sev one")
    assertNotContains(response, "Active sev three")
    assertContains(response, '<option value="active" selected>')


def test_an_unknown_filter_value_filters_nothing(signed_in):
    IncidentFactory(title="Still listed")
    assertContains(signed_in.get(LIST, {"state": "bogus"}), "Still listed")


def test_empty_state_says_how_incidents_arrive(signed_in):
    response = signed_in.get(LIST)
    assertContains(response, "No incidents yet.")
    assertContains(response, "as soon as a responder declares one")


def test_empty_filtered_list_offers_to_clear_the_filters(signed_in):
    IncidentFactory(state="active")
    response = signed_in.get(LIST, {"state": "closed"})
    assertContains(response, "No incidents match these filters.")
    assertContains(response, f'href="{LIST}"')


def test_pagination_keeps_the_filters(signed_in):
    for minute in range(26):
        IncidentFactory(state="active", created_at=T0 + dt.timedelta(minutes=minute))
    oldest = Incident.objects.order_by("created_at").first()
    first = signed_in.get(LIST, {"state": "active"})
    assert len(first.context["page"].object_list) == 25
    assertNotContains(first, oldest.ref)
    assertContains(first, 'href="?state=active&amp;page=2"')
    assertContains(first, 'rel="next"')
    second = signed_in.get(LIST, {"state": "active", "page": 2})
    assert list(second.context["page"].object_list) == [oldest]
    assertContains(second, 'rel="prev"')
    # A page past the end shows the last page rather than an error.
    assert signed_in.get(LIST, {"page": 99}).context["page"].number == 2


def test_htmx_request_gets_only_the_results(signed_in):
    IncidentFactory(title="Only the rows")
    response = signed_in.get(LIST, headers={"HX-Request": "true"})
    assertContains(response, "Only the rows")
    assertNotContains(response, "<html")
    assert response.content.decode().lstrip().startswith('<div id="results"')
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(signed_in):
    response = signed_in.get(
        LIST, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assertContains(response, "<html")


@pytest.mark.parametrize("rows", [3, 10])
def test_list_query_count_does_not_grow_with_rows(signed_in, user, django_assert_num_queries, rows):
    for incident in IncidentFactory.create_batch(rows, restricted=True, responders=[user]):
        PostmortemFactory(incident=incident)
    IncidentFactory.create_batch(rows)
    IncidentFactory(restricted=True)  # not theirs: filtered in the same query
    # session, user, count, page of incidents with their postmortems
    with django_assert_num_queries(4):
        response = signed_in.get(LIST)
    assert len(response.context["page"].object_list) == 2 * rows


# The detail page


def test_detail_shows_header_summary_and_roles(signed_in):
    commander = UserFactory(first_name="Ada", last_name="Lovelace")
    former = UserFactory(first_name="Grace", last_name="Hopper")
    incident = IncidentFactory(
        title="Payments down",
        severity="SEV-1",
        summary="Card payments failed for everyone.",
        is_hotfix=True,
        change_id="CHG-20261124-pay-fix",
    )
    RoleAssignmentFactory(
        incident=incident, user=former, started_at=T0, ended_at=T0 + dt.timedelta(minutes=5)
    )
    RoleAssignmentFactory(incident=incident, user=commander, started_at=T0)
    RoleAssignmentFactory(incident=incident, user=former, role=RoleAssignment.Role.SCRIBE)
    response = signed_in.get(detail(incident))
    assertContains(response, "<h1>Payments down</h1>", html=True)
    assertContains(response, "SEV-1")
    assertContains(response, "CHG-20261124-pay-fix")
    assertContains(response, "Card payments failed for everyone.")
    assertContains(response, "<dt>Incident commander</dt><dd>Ada Lovelace</dd>", html=True)
    assertContains(response, "<dt>Scribe</dt><dd>Grace Hopper</dd>", html=True)
    assertNotContains(response, "<dt>Incident commander</dt><dd>Grace Hopper</dd>", html=True)


def test_detail_timeline_is_in_time_order_with_milestones_and_sources(signed_in):
    incident = IncidentFactory()
    TimelineEventFactory(
        incident=incident, occurred_at=T0 + dt.timedelta(minutes=20), text="Rolled back"
    )
    TimelineEventFactory(
        incident=incident,
        occurred_at=T0,
        text="Error rate alert fired",
        milestone=TimelineEvent.Milestone.DETECTED,
        source="https://alerts.example.com/4411",
    )
    TimelineEventFactory(
        incident=incident,
        occurred_at=T0 + dt.timedelta(minutes=5),
        text="Paged the payments team",
        source="javascript:alert(1)",
    )
    TimelineEventFactory(
        incident=incident, occurred_at=T0 + dt.timedelta(minutes=9), source="alert #4411"
    )
    response = signed_in.get(detail(incident))
    content = response.content.decode()
    order = ["Error rate alert fired", "Paged the payments team", "Rolled back"]
    assert [content.index(text) for text in order] == sorted(content.index(t) for t in order)
    assertContains(response, '<span class="badge badge--milestone">Detected</span>', html=True)
    assertContains(response, 'href="https://alerts.example.com/4411"')
    assertNotContains(response, 'href="javascript:')
    assertContains(response, "Source: alert #4411")


def test_detail_durations_come_from_milestones(signed_in):
    incident = IncidentFactory()
    for minutes, milestone in [(0, "started"), (14, "detected"), (40, "mitigated")]:
        TimelineEventFactory(
            incident=incident, occurred_at=T0 + dt.timedelta(minutes=minutes), milestone=milestone
        )
    response = signed_in.get(detail(incident))
    assertContains(response, "<dt>Time to detect</dt><dd>14m</dd>", html=True)
    assertContains(response, "<dt>Time to mitigate</dt><dd>40m</dd>", html=True)
    assertContains(response, "<dt>Time to resolve</dt><dd>—</dd>", html=True)


def test_detail_shows_the_latest_status_update_and_when_the_next_is_due(signed_in):
    incident = IncidentFactory(state="active")
    StatusUpdateFactory(incident=incident, posted_at=T0, known="Old news")
    StatusUpdateFactory(
        incident=incident,
        posted_at=T0 + dt.timedelta(hours=1),
        known="Rollback done",
        next_update_due=T0 + dt.timedelta(hours=1, minutes=30),
    )
    response = signed_in.get(detail(incident))
    assertContains(response, "Rollback done")
    assertNotContains(response, "Old news")
    assertContains(response, "2026-11-24 13:30")
    assertContains(response, "Overdue")  # T0 is in the past and the incident is open


def test_detail_without_status_update_or_postmortem(signed_in):
    incident = IncidentFactory(severity="SEV-1")
    response = signed_in.get(detail(incident))
    assertContains(response, "No status update posted yet. SEV-1 incidents post one every 30m.")
    assertContains(response, "Start a postmortem")
    assertContains(response, "No timeline entries yet.")


def test_detail_links_to_its_postmortem(signed_in):
    postmortem = PostmortemFactory()
    response = signed_in.get(detail(postmortem.incident))
    assertContains(response, f'href="{postmortem.get_absolute_url()}"')


@pytest.mark.parametrize("rows", [3, 10])
def test_detail_query_count_does_not_grow_with_rows(signed_in, django_assert_num_queries, rows):
    incident = IncidentFactory(responders=UserFactory.create_batch(rows))
    PostmortemFactory(incident=incident)
    TimelineEventFactory.create_batch(rows, incident=incident)
    StatusUpdateFactory.create_batch(rows, incident=incident)
    for role in list(RoleAssignment.Role)[: min(rows, 4)]:
        RoleAssignmentFactory(incident=incident, role=role)
    # session, user, incident, milestones, the newest entries, postmortem, header (status,
    # checklist), response panels (checkpoints, status, roles, impact, checklist,
    # responders, people to assign)
    with django_assert_num_queries(15):
        response = signed_in.get(detail(incident))
    assert response.context["timeline_total"] == rows
