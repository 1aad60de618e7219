"""Narrative sections and impact fields edited inline, with their versions."""

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from postmortems.models import Revision, Section
from postmortems.services import postmortem_start
from tests.factories import IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def postmortem():
    return postmortem_start(incident=IncidentFactory(), kind="full", facilitator=None)


@pytest.fixture
def summary(postmortem) -> Section:
    return postmortem.sections.get(key="executive_summary")


def section_url(section: Section, name: str = "postmortems:section") -> str:
    return reverse(name, args=[section.postmortem.incident.ref, section.pk])


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(UserFactory(username=username))
    return client


def test_editing_starts_with_the_current_text_and_version(client, user, summary):
    Section.objects.filter(pk=summary.pk).update(body="Checkout *failed*.", version=4)
    client.force_login(user)
    response = client.post(section_url(summary, "postmortems:section-edit"), headers=HTMX)
    assertContains(response, '<input type="hidden" name="version" value="4">', html=True)
    assertContains(response, "Checkout *failed*.</textarea>")
    assertContains(response, "Checkout <em>failed</em>.")  # the preview, rendered


def test_the_page_carries_no_raw_markdown_only_what_the_sanitizer_made(client, user, summary):
    Section.objects.filter(pk=summary.pk).update(body="[x](javascript:alert(2))")
    client.force_login(user)
    response = client.get(reverse("postmortems:detail", args=[summary.postmortem.incident.ref]))
    assertNotContains(response, "alert(2)")
    assertNotContains(response, '<textarea id="id_body_executive_summary"')


def test_a_save_returns_the_rendered_section_and_records_the_revision(client, user, summary):
    client.force_login(user)
    response = client.post(
        section_url(summary), {"body": "Checkout **failed**.", "version": 1}, headers=HTMX
    )
    assert response.status_code == 200
    assertContains(response, "Checkout <strong>failed</strong>.")
    summary.refresh_from_db()
    assert (summary.body, summary.version, summary.updated_by) == ("Checkout **failed**.", 2, user)
    revision = Revision.objects.get(target="section:executive_summary")
    assert (revision.version, revision.author, revision.content) == (2, user, summary.body)


def test_two_clients_save_from_the_same_version_the_second_gets_409_with_both_texts(summary):
    ana, ben = signed_in("ana"), signed_in("ben")
    url = section_url(summary)
    # Both open the editor at version 1.
    for client in (ana, ben):
        loaded = client.post(section_url(summary, "postmortems:section-edit"), headers=HTMX)
        assertContains(loaded, 'name="version" value="1"')

    first = ana.post(url, {"body": "Ana's summary of the outage.", "version": 1}, headers=HTMX)
    assert first.status_code == 200
    second = ben.post(url, {"body": "Ben's summary, written at once.", "version": 1}, headers=HTMX)

    assert second.status_code == 409
    assertContains(second, "Ana&#x27;s summary of the outage.", status_code=409)
    assertContains(second, "Ben&#x27;s summary, written at once.", status_code=409)
    # The difference, and the three ways out, each at the version now current.
    assertContains(second, "-Ana&#x27;s summary of the outage.", status_code=409)
    assertContains(second, "+Ben&#x27;s summary, written at once.", status_code=409)
    for label in ("Keep theirs", "Use mine", "Merge by hand"):
        assertContains(second, label, status_code=409)
    assertContains(second, 'name="version" value="2"', count=3, status_code=409)
    # The first text stays saved; nothing was overwritten.
    summary.refresh_from_db()
    assert (summary.body, summary.version) == ("Ana's summary of the outage.", 2)

    # "Use mine" re-submits Ben's text at their version: now it wins, and
    # both texts are in the history: nothing is lost.
    mine = ben.post(url, {"body": "Ben's summary, written at once.", "version": 2}, headers=HTMX)
    assert mine.status_code == 200
    summary.refresh_from_db()
    assert (summary.body, summary.version) == ("Ben's summary, written at once.", 3)
    history = Revision.objects.filter(target="section:executive_summary").order_by("version")
    assert [r.content for r in history] == [
        "Ana's summary of the outage.",
        "Ben's summary, written at once.",
    ]


def test_keep_theirs_changes_nothing(client, user, summary):
    Section.objects.filter(pk=summary.pk).update(body="Theirs.", version=2)
    client.force_login(user)
    response = client.post(section_url(summary), {"body": "Theirs.", "version": 2}, headers=HTMX)
    assert response.status_code == 200
    summary.refresh_from_db()
    assert summary.version == 2
    assert not Revision.objects.exists()


def test_a_whitespace_only_save_from_an_old_version_is_no_conflict(client, user, summary):
    Section.objects.filter(pk=summary.pk).update(body="Line one.\nLine two.", version=5)
    client.force_login(user)
    response = client.post(
        section_url(summary), {"body": "Line one.  \r\nLine two.\n\n", "version": 1}, headers=HTMX
    )
    assert response.status_code == 200
    summary.refresh_from_db()
    assert (summary.body, summary.version) == ("Line one.\nLine two.", 5)


def test_a_save_without_a_version_keeps_the_text_in_the_editor(client, user, summary):
    client.force_login(user)
    response = client.post(section_url(summary), {"body": "Typed text."}, headers=HTMX)
    assert response.status_code == 422
    assertContains(response, "Typed text.</textarea>", status_code=422)
    summary.refresh_from_db()
    assert summary.body == ""


def test_preview_goes_through_the_sanitizer(client, user, summary):
    client.force_login(user)
    url = reverse("postmortems:preview", args=[summary.postmortem.incident.ref])
    response = client.post(
        url,
        {"body": "**bold** <script>alert(1)</script> [x](javascript:alert(2)) <img onerror=y>"},
        headers=HTMX,
    )
    assertContains(response, "<strong>bold</strong>")
    assertNotContains(response, "<script")
    assertNotContains(response, "javascript:")
    assertNotContains(response, "onerror")
    assertContains(client.post(url, {"body": "  "}, headers=HTMX), "Nothing to preview yet.")


def test_impact_field_saves_with_its_version_and_refuses_a_stale_one(postmortem):
    field = postmortem.impact_fields.get(key="affected_users")
    url = reverse("postmortems:impact", args=[postmortem.incident.ref, field.pk])
    ana, ben = signed_in("ana"), signed_in("ben")
    first = ana.post(url, {"value": " 12% of EU ", "version": 1}, headers=HTMX)
    assertContains(first, "<dd>12% of EU</dd>", html=True)
    second = ben.post(url, {"value": "15%", "version": 1}, headers=HTMX)
    assert second.status_code == 409
    assertContains(second, "12% of EU", status_code=409)
    assertContains(second, 'value="15%"', status_code=409)
    field.refresh_from_db()
    assert (field.value, field.version) == ("12% of EU", 2)


def test_a_section_of_another_postmortem_is_404(client, user, postmortem):
    other = postmortem_start(incident=IncidentFactory(), kind="pulse", facilitator=None)
    section = other.sections.first()
    client.force_login(user)
    url = reverse("postmortems:section", args=[postmortem.incident.ref, section.pk])
    assert client.post(url, {"body": "x", "version": 1}).status_code == 404
