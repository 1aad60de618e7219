import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from actions.models import ActionItem
from tests.factories import ActionItemFactory, IncidentFactory, PostmortemFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def mine(client, user) -> ActionItem:
    client.force_login(user)
    return ActionItemFactory(owner=user, due_date=in_days(-3))


def snooze(client, action, *, until="", reason="", headers=None, next_url="/actions/?mine=on"):
    prefix = f"snooze-{action.pk}"
    data = {f"{prefix}-snoozed_until": str(until), f"{prefix}-snooze_reason": reason}
    data["next"] = next_url
    return client.post(reverse("actions:snooze", args=[action.pk]), data, headers=headers)


def test_the_owner_snoozes_once_with_a_reason(client, mine):
    response = snooze(client, mine, until=in_days(5), reason="Waiting for the vendor", headers=HTMX)
    assert response.status_code == 200
    assertContains(response, f'<tr id="action-{mine.pk}"')
    assertContains(response, "Reminders snoozed until")
    assertContains(response, "Waiting for the vendor")
    assertContains(response, 'role="status"')
    mine.refresh_from_db()
    assert (mine.snoozed_until, mine.snooze_reason) == (in_days(5), "Waiting for the vendor")
    assert mine.snoozed_at is not None

    again = snooze(client, mine, until=in_days(9), reason="Still waiting", headers=HTMX)
    assert again.status_code == 422
    assertContains(again, "snoozed once already", status_code=422)
    mine.refresh_from_db()
    assert mine.snoozed_until == in_days(5)


def test_a_snooze_is_not_progress(client, mine):
    before = mine.updated_at
    snooze(client, mine, until=in_days(5), reason="Vendor", headers=HTMX)
    mine.refresh_from_db()
    assert mine.updated_at == before  # it can still show as stale


@pytest.mark.parametrize(
    ("until", "reason", "message"),
    [
        (in_days(3), "", "This field is required."),
        ("", "Holiday", "This field is required."),
        (in_days(0), "Holiday", "Choose a day after today."),
        (in_days(-1), "Holiday", "Choose a day after today."),
        (in_days(31), "Holiday", "A snooze lasts at most 30 days; choose an earlier day."),
        ("next week", "Holiday", "Enter a valid date."),
    ],
)
def test_invalid_snooze_keeps_what_was_typed(client, mine, until, reason, message):
    response = snooze(client, mine, until=until, reason=reason, headers=HTMX)
    assertContains(response, message, status_code=422)
    assertContains(response, '<details class="disclosure" open>', status_code=422)
    if reason:
        assertContains(response, f">\n{reason}</textarea>", status_code=422)
    mine.refresh_from_db()
    assert mine.snoozed_at is None


def test_without_javascript_it_returns_to_the_dashboard_view(client, mine):
    response = snooze(client, mine, until=in_days(2), reason="Holiday")
    assertRedirects(response, "/actions/?mine=on", fetch_redirect_response=False)
    page = client.get("/actions/?mine=on")
    assertContains(page, f"{mine.ref} snoozed: no reminders until {in_days(2):%Y-%m-%d}.")


def test_without_javascript_an_invalid_snooze_gets_its_own_page(client, mine):
    response = snooze(client, mine, until=in_days(2))
    assertContains(response, f"<h1>Snooze {mine.ref}</h1>", status_code=422, html=True)
    assertContains(response, "This field is required.", status_code=422)
    assertContains(response, '<a href="/actions/?mine=on">Back to the actions</a>', status_code=422)


def test_never_redirects_to_another_site(client, mine):
    response = snooze(client, mine, until=in_days(2), reason="x", next_url="https://evil.example")
    assertRedirects(response, reverse("actions:list"), fetch_redirect_response=False)


def test_a_closed_action_cannot_be_snoozed(client, user):
    client.force_login(user)
    action = ActionItemFactory(
        owner=user, status="done", verified_by=user, verified_at=timezone.now()
    )
    response = snooze(client, action, until=in_days(2), reason="x", headers=HTMX)
    assertContains(response, "Only an open action can be snoozed.", status_code=422)


def test_only_the_owner_may_snooze(client, user):
    someone_else = ActionItemFactory(owner=UserFactory())
    team = ActionItemFactory(owner=None, owner_team="Platform")
    secret = ActionItemFactory(
        owner=user, postmortem=PostmortemFactory(incident=IncidentFactory(restricted=True))
    )
    client.force_login(user)
    for action in (someone_else, team, secret):
        assert snooze(client, action, until=in_days(2), reason="x").status_code == 404
    assert client.get(reverse("actions:snooze", args=[someone_else.pk])).status_code == 405


def test_the_dashboard_offers_the_snooze_only_on_the_owners_open_items(client, user):
    client.force_login(user)
    own = ActionItemFactory(owner=user, title="Own")
    ActionItemFactory(title="Someone else's")
    snoozed = ActionItemFactory(owner=user)
    snoozed.snooze(until=in_days(3), reason="Holiday")
    response = client.get(reverse("actions:list"))
    assertContains(response, 'hx-post="', count=1)
    assertContains(response, reverse("actions:snooze", args=[own.pk]))
    assertContains(response, f'<label for="id_snooze-{own.pk}-snooze_reason">Reason')
    assertContains(response, "Reminders snoozed until")
    assertNotContains(response, reverse("actions:snooze", args=[snoozed.pk]))


def test_snoozing_twice_at_once_keeps_the_first(user):
    action = ActionItemFactory(owner=user)
    stale_copy = ActionItem.objects.get(pk=action.pk)
    assert action.snooze(until=in_days(2), reason="First") is True
    assert stale_copy.snooze(until=in_days(9), reason="Second") is False
    action.refresh_from_db()
    assert action.snooze_reason == "First"
