"""The workflow with its history, the due time, and sign-off."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from postmortems.models import Postmortem
from tests.factories import UserFactory, complete_postmortem

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def postmortem():
    return complete_postmortem()  # passes the checks that guard Final


def move(client, postmortem, to: str, version: int):
    url = reverse("postmortems:workflow", args=[postmortem.incident.ref])
    return client.post(url, {"to": to, "version": version}, headers=HTMX)


def test_draft_to_closed_and_back_with_history(client, postmortem):
    ana = UserFactory(username="ana", first_name="Ana", last_name="Lima")
    client.force_login(ana)
    response = move(client, postmortem, "in_review", 1)
    assert response.status_code == 200
    assertContains(response, "Draft → In review")
    assertContains(response, "by Ana Lima")
    assertContains(response, "Move to Final")
    assertContains(response, "Back to Draft")
    # The header's state badge follows, out of band.
    assertContains(response, 'id="doc-state-badges" hx-swap-oob="true"')

    move(client, postmortem, "final", 2)
    move(client, postmortem, "in_review", 3)  # reopened: something was missed
    response = move(client, postmortem, "final", 4)
    response = move(client, postmortem, "closed", 5)
    postmortem.refresh_from_db()
    assert postmortem.state == Postmortem.State.CLOSED
    assert postmortem.finalized_at is not None
    for step in ("Draft → In review", "In review → Final", "Final → In review", "Final → Closed"):
        assertContains(response, step)
    assertNotContains(response, "Move to")

    page = client.get(reverse("postmortems:detail", args=[postmortem.incident.ref]))
    assertContains(page, "Final → Closed")  # also in the revision history


def test_someone_moved_it_first_is_409(client, user, postmortem):
    client.force_login(user)
    move(client, postmortem, "in_review", 1)
    response = move(client, postmortem, "in_review", 1)
    assert response.status_code == 409
    assertContains(response, "Someone moved this review to In review first", status_code=409)


def test_a_jump_is_refused(client, user, postmortem):
    client.force_login(user)
    response = move(client, postmortem, "closed", 1)
    assertContains(response, "cannot go from Draft to Closed", status_code=422)


def test_overdue_until_final(client, user, postmortem):
    postmortem.incident.events.filter(milestone="resolved").update(
        occurred_at=timezone.now() - dt.timedelta(days=3)
    )
    client.force_login(user)
    page = client.get(reverse("postmortems:detail", args=[postmortem.incident.ref]))
    assertContains(page, '<span class="badge badge--overdue">Overdue</span>', count=2, html=True)
    move(client, postmortem, "in_review", 1)
    response = move(client, postmortem, "final", 2)
    assertNotContains(response, "Overdue")


def test_sign_and_withdraw(client, user, postmortem):
    signoff = postmortem.signoffs.get(role="Tech Lead")
    url = reverse("postmortems:signoff", args=[postmortem.incident.ref, signoff.pk])
    client.force_login(user)
    response = client.post(url, {"signed": 1}, headers=HTMX)
    assertContains(response, "Withdraw")
    signoff.refresh_from_db()
    assert signoff.user == user
    assert signoff.signed_at

    client.force_login(UserFactory(username="someone-else"))
    refused = client.post(url, {"signed": 0}, headers=HTMX)
    assertContains(refused, "Only the person who signed", status_code=422)

    client.force_login(user)
    client.post(url, {"signed": 0}, headers=HTMX)
    signoff.refresh_from_db()
    assert signoff.user is None
    assert signoff.signed_at is None
