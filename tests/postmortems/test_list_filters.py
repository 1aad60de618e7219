"""The postmortem list's filters and search, bookmarkable in the query string."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from incidents.models import Incident, TimelineEvent
from postmortems.models import Postmortem
from tests.factories import (
    ContributingFactorFactory,
    IncidentFactory,
    PostmortemFactory,
    SectionFactory,
    TimelineEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("postmortems:list")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def review(title: str, **fields) -> Postmortem:
    incident_fields = {k: fields.pop(k) for k in ("severity", "restricted") if k in fields}
    return PostmortemFactory(incident=IncidentFactory(title=title, **incident_fields), **fields)


def resolved(postmortem: Postmortem, hours_ago: float) -> None:
    TimelineEventFactory(
        incident=postmortem.incident,
        milestone=TimelineEvent.Milestone.RESOLVED,
        occurred_at=timezone.now() - dt.timedelta(hours=hours_ago),
    )


def shown(client, **params) -> set[str]:
    """The incident titles the results list, via the htmx fragment."""
    response = client.get(LIST, params, headers={"HX-Request": "true"})
    assert response.status_code == 200
    content = response.content.decode()
    return {title for title in TITLES if title in content}


TITLES = ["Alpha outage", "Bravo slowdown", "Charlie leak", "Delta drift"]


def test_state_filter(signed_in):
    review("Alpha outage", state=Postmortem.State.DRAFT)
    review("Bravo slowdown", state=Postmortem.State.IN_REVIEW)
    assert shown(signed_in, state="in_review") == {"Bravo slowdown"}


def test_template_filter(signed_in):
    review("Alpha outage", kind=Postmortem.Kind.FULL)
    review("Bravo slowdown", kind=Postmortem.Kind.PULSE)
    assert shown(signed_in, kind="pulse") == {"Bravo slowdown"}


def test_severity_filter(signed_in):
    review("Alpha outage", severity=Incident.Severity.SEV1)
    review("Bravo slowdown", severity=Incident.Severity.SEV3)
    assert shown(signed_in, severity=Incident.Severity.SEV1) == {"Alpha outage"}


def test_facilitator_filter(signed_in):
    fran = UserFactory(username="fran")
    review("Alpha outage", facilitator=fran)
    review("Bravo slowdown")
    assert shown(signed_in, owner=fran.pk) == {"Alpha outage"}


def test_overdue_filter_is_past_48_hours_and_unfinished(signed_in):
    overdue = review("Alpha outage", state=Postmortem.State.IN_REVIEW)
    resolved(overdue, hours_ago=49)
    resolved(review("Bravo slowdown"), hours_ago=47)  # not due yet
    final = review("Charlie leak", state=Postmortem.State.FINAL, finalized_at=timezone.now())
    resolved(final, hours_ago=100)  # due long ago but done
    review("Delta drift")  # not resolved: no due time
    assert shown(signed_in, overdue="on") == {"Alpha outage"}


def test_search_matches_ref_title_section_and_factor_once(signed_in):
    by_title = review("Alpha outage")
    by_section = review("Bravo slowdown")
    SectionFactory(postmortem=by_section, body="The connection POOL was exhausted")
    SectionFactory(postmortem=by_section, body="Pool again, in a second section")
    by_factor = review("Charlie leak")
    ContributingFactorFactory(postmortem=by_factor, description="Pool leak in the error path")
    ContributingFactorFactory(postmortem=by_factor, description="Another pool factor")
    review("Delta drift")
    assert shown(signed_in, q="alpha") == {"Alpha outage"}
    assert shown(signed_in, q=by_title.incident.ref.lower()) == {"Alpha outage"}
    assert shown(signed_in, q="pool") == {"Bravo slowdown", "Charlie leak"}
    # Distinct rows: each match counted once despite two matching children.
    response = signed_in.get(LIST, {"q": "pool"}, headers={"HX-Request": "true"})
    assertContains(response, "2 postmortems matching the filters")


def test_filters_combine(signed_in):
    review("Alpha outage", kind=Postmortem.Kind.FULL, severity=Incident.Severity.SEV1)
    review("Bravo slowdown", kind=Postmortem.Kind.FULL, severity=Incident.Severity.SEV3)
    review("Charlie leak", kind=Postmortem.Kind.PULSE, severity=Incident.Severity.SEV1)
    params = {"kind": "full", "severity": Incident.Severity.SEV1}
    assert shown(signed_in, **params) == {"Alpha outage"}


def test_an_unknown_value_filters_nothing(signed_in):
    review("Alpha outage")
    assert shown(signed_in, state="bogus", kind="nope") == {"Alpha outage"}


def test_no_match_shows_the_empty_state_with_a_clear_link(signed_in):
    review("Alpha outage")
    response = signed_in.get(LIST, {"q": "nothing like this"})
    assertContains(response, "No postmortems match these filters.")
    assertContains(response, f'<a href="{LIST}">clear the filters</a>')
    assertContains(response, 'value="nothing like this"')


def test_the_page_keeps_the_filters_in_the_form(signed_in):
    review("Alpha outage", kind=Postmortem.Kind.PULSE)
    response = signed_in.get(LIST, {"kind": "pulse", "overdue": "on"})
    assertContains(response, '<option value="pulse" selected>')
    assertContains(response, 'name="overdue" id="id_overdue" checked')


def test_search_never_reveals_a_restricted_incidents_postmortem(client):
    responder = UserFactory(username="responder")
    secret = review("Charlie leak", restricted=True)
    secret.incident.responders.add(responder)
    SectionFactory(postmortem=secret, body="The secret pool key leaked")
    ContributingFactorFactory(postmortem=secret, description="pool key in logs")
    review("Alpha outage")
    client.force_login(UserFactory(username="outsider"))
    for q in ("pool", "secret", "Charlie", secret.incident.ref):
        assert shown(client, q=q) == set()
        response = client.get(LIST, {"q": q}, headers={"HX-Request": "true"})
        assertNotContains(response, secret.incident.ref)
        assertNotContains(response, "Charlie leak")
        assertContains(response, "No postmortems match these filters.")
    # Nor is its facilitator offered as a filter.
    page = client.get(LIST)
    assertNotContains(page, secret.facilitator.get_full_name())
    client.force_login(responder)
    assert shown(client, q="pool") == {"Charlie leak"}


@pytest.mark.parametrize("rows", [3, 10])
@pytest.mark.parametrize(
    "params",
    [{}, {"q": "pool", "state": "draft", "kind": "full", "severity": "SEV2", "overdue": "on"}],
    ids=["unfiltered", "all-filters"],
)
def test_list_query_count_does_not_grow_with_rows(
    signed_in, django_assert_num_queries, rows, params
):
    for n in range(rows):
        postmortem = review(f"Pool incident {n}")
        resolved(postmortem, hours_ago=60)
        SectionFactory(postmortem=postmortem, body="pool")
    # session, user, count, page, the facilitator choices, waiting incidents.
    with django_assert_num_queries(6):
        response = signed_in.get(LIST, params)
    assertContains(response, f"{rows} postmortems")
    # The htmx fragment: no facilitator choices and no waiting list.
    with django_assert_num_queries(4):
        signed_in.get(LIST, params, headers={"HX-Request": "true"})
