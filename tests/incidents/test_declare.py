import datetime as dt

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from incidents.models import Incident
from tests.factories import IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("incidents:new")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def form_data(**overrides) -> dict:
    return {
        "title": "Checkout API returns 503 for EU users",
        "severity": "SEV-1",
        "impact_category": "outage",
        "detection_method": "monitoring",
        "summary": "",
        "started_at": "",
        "detected_at": "",
        "change_id": "",
    } | overrides


def test_the_form_explains_severities(signed_in):
    response = signed_in.get(URL)
    assertContains(response, "SEV-1: widespread critical user, data or security impact.")
    assertContains(response, '<label for="id_title">Title</label>', html=True)


def test_declaring_opens_the_incident_with_its_ref_and_milestones(signed_in, user):
    response = signed_in.post(
        URL, form_data(started_at="2026-11-24 13:50", detected_at="2026-11-24T14:02:00+00:00")
    )
    incident = Incident.objects.get()
    assertRedirects(response, incident.get_absolute_url())
    assert incident.ref == "INC-2026-11-24-1"
    assert incident.declared_by == user
    assert incident.milestone_times() == {
        "started": dt.datetime(2026, 11, 24, 13, 50, tzinfo=dt.UTC),
        "detected": dt.datetime(2026, 11, 24, 14, 2, tzinfo=dt.UTC),
    }


def test_times_default_to_now(signed_in):
    before = dt.datetime.now(dt.UTC)
    signed_in.post(URL, form_data())
    times = Incident.objects.get().milestone_times()
    assert times["started"] == times["detected"]
    assert times["detected"] >= before


def test_bad_input_keeps_what_was_typed_and_says_what_is_wrong(signed_in):
    response = signed_in.post(
        URL,
        form_data(
            title="Login loop",
            is_hotfix="on",
            change_id="CHG-24-11-2026-login",
            started_at="half past two",
        ),
    )
    assert response.status_code == 200
    assertContains(response, "CHG-YYYYMMDD-&lt;slug&gt;")
    assertContains(response, "is not a time I can read")
    assertContains(response, 'value="Login loop"')
    assertContains(response, 'value="half past two"')
    assert not Incident.objects.exists()


def test_a_change_id_needs_the_hotfix_flag(signed_in):
    response = signed_in.post(URL, form_data(change_id="CHG-20261124-login-loop"))
    assertContains(response, "A change id belongs to a hotfix")
    assert not Incident.objects.exists()


def test_a_hotfix_carries_its_change_id(signed_in):
    signed_in.post(URL, form_data(is_hotfix="on", change_id="CHG-20261124-login-loop"))
    incident = Incident.objects.get()
    assert (incident.is_hotfix, incident.change_id) == (True, "CHG-20261124-login-loop")


def test_a_change_id_already_used_is_refused(signed_in):
    IncidentFactory(is_hotfix=True, change_id="CHG-20261124-login-loop")
    response = signed_in.post(URL, form_data(is_hotfix="on", change_id="CHG-20261124-login-loop"))
    assertContains(response, "Another incident already has this change id.")
    assert Incident.objects.count() == 1


def test_a_restricted_incident_needs_named_responders(signed_in):
    response = signed_in.post(URL, form_data(restricted="on"))
    assertContains(response, "Name the responders who may see a restricted incident.")


def test_a_restricted_incident_is_visible_to_its_responders_only(signed_in, user):
    colleague, outsider = UserFactory(), UserFactory()
    signed_in.post(URL, form_data(restricted="on", responders=[colleague.pk]))
    incident = Incident.objects.get()
    assert set(incident.responders.all()) == {user, colleague}
    assert not Incident.objects.visible_to(outsider).exists()


def test_impact_cannot_start_after_detection(signed_in):
    response = signed_in.post(URL, form_data(started_at="14:10", detected_at="14:05"))
    assertContains(response, "Impact cannot start after it was detected.")


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        ("https://chat.example.com/p1", True),
        ("alert #4411", True),
        ("Deploy log: /var/log/deploy.md", True),
        ("javascript:alert(1)", False),
        ("file:///etc/passwd", False),
        ("data:text/html,hi", False),
    ],
)
def test_sources_are_references_or_http_links(source, ok):
    from django.core.exceptions import ValidationError

    from incidents.forms import validate_http_url

    if ok:
        validate_http_url(source)
    else:
        with pytest.raises(ValidationError):
            validate_http_url(source)
