import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import need
from tests.factories import (
    ContributingFactorFactory,
    IncidentFactory,
    PostmortemFactory,
    SectionFactory,
    TimelineEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_search_finds_every_kind_with_filters_and_hides_restricted(
    client, django_assert_num_queries
):
    sev1 = IncidentFactory(title="Checkout outage", severity="SEV-1")
    postmortem = PostmortemFactory(incident=sev1)
    SectionFactory(postmortem=postmortem, body="The <b>connection pool</b> was exhausted.")
    ContributingFactorFactory(postmortem=postmortem, description="Pool size never tuned")
    TimelineEventFactory(incident=IncidentFactory(severity="SEV-3"), text="pool alarms fired")
    secret = IncidentFactory(restricted=True, title="Pool leak in auth")
    TimelineEventFactory(incident=secret, text="pool leak found")
    client.force_login(UserFactory())
    url = reverse("learning:search")
    with django_assert_num_queries(7):  # session, user, five kinds
        response = client.get(url, {"q": "pool"})
    body = response.content.decode()
    assert "3 results" in body
    assert "<mark>pool</mark>" in body.lower()
    # The user's markup never comes through as HTML: escaped around the marks
    # (SQLite) or dropped by ts_headline (PostgreSQL).
    assert "<b>connection" not in body
    assert "connection <mark>pool</mark>" in body.lower().replace("  ", " ")
    assert secret.ref not in body
    assert "leak" not in body
    filtered = client.get(url, {"q": "pool", "severity": "SEV-3"}).content.decode()
    assert "1 result," in filtered
    assert "alarms" in filtered
    only = client.get(url, {"q": "pool", "kind": "factor"}).content.decode()
    assert "1 result," in only
    assert "never tuned" in only


def test_an_empty_search_shows_the_hint_and_no_results(client):
    client.force_login(UserFactory())
    response = client.get(reverse("learning:search"))
    assert b"Search titles" in response.content


def test_search_ranks_by_relevance_on_postgresql(client):
    if connection.vendor != "postgresql":
        need("PostgreSQL", f"full-text ranking needs it (this run: {connection.vendor})")
    weak = IncidentFactory(title="Minor DNS blip", summary="Unrelated, then dns once.")
    strong = IncidentFactory(title="DNS resolver outage", summary="DNS failed; DNS cache empty.")
    client.force_login(UserFactory())
    body = client.get(reverse("learning:search"), {"q": "dns"}).content.decode()
    assert body.index(strong.ref) < body.index(weak.ref)
    assert "<mark>DNS</mark>" in body
