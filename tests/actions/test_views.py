import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from actions.models import ActionItem
from tests.factories import ActionItemFactory, IncidentFactory, PostmortemFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("actions:list")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def titles(response) -> list[str]:
    return [action.title for action in response.context["page"]]


def test_anonymous_is_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={LIST}"


def test_actions_of_restricted_incidents_reach_only_their_people(client, outsider):
    named = UserFactory(username="named")
    secret = PostmortemFactory(incident=IncidentFactory(restricted=True, responders=[named]))
    ActionItemFactory(postmortem=secret, title="Rotate the signing key")
    ActionItemFactory(title="Alert on pool saturation")
    client.force_login(outsider)
    response = client.get(LIST)
    assertContains(response, "Alert on pool saturation")
    assertNotContains(response, "Rotate the signing key")
    client.force_login(named)
    assertContains(client.get(LIST), "Rotate the signing key")


def test_list_shows_what_an_owner_needs(signed_in):
    postmortem = PostmortemFactory()
    ActionItemFactory(
        postmortem=postmortem,
        number=7,
        title="Add a pool saturation alert",
        owner=UserFactory(first_name="Ada", last_name="Lovelace"),
        priority=ActionItem.Priority.P0,
        due_date=dt.date(2026, 12, 1),
        category=ActionItem.Category.DETECT,
    )
    ActionItemFactory(postmortem=postmortem, number=8, owner=None, owner_team="Payments SRE")
    response = signed_in.get(LIST)
    assertContains(response, "AI-007")
    assertContains(response, "Add a pool saturation alert")
    assertContains(response, postmortem.incident.ref)
    assertContains(response, f'href="{postmortem.get_absolute_url()}"')
    assertContains(response, "Ada Lovelace")
    assertContains(response, "Payments SRE")
    assertContains(response, '<span class="badge badge--p0"')
    assertContains(response, "2026-12-01")
    assertContains(response, "Open")
    assertContains(response, "Detect")


def test_ordered_by_due_date_with_undated_last(signed_in):
    ActionItemFactory(title="No date", due_date=None)
    ActionItemFactory(title="Next week", due_date=days_ago(-7))
    ActionItemFactory(title="Long overdue", due_date=days_ago(10))
    assert titles(signed_in.get(LIST)) == ["Long overdue", "Next week", "No date"]


def test_overdue_filter_and_days_overdue(signed_in, user):
    ActionItemFactory(title="Three days late", due_date=days_ago(3))
    ActionItemFactory(title="One day late", due_date=days_ago(1))
    ActionItemFactory(title="Due today", due_date=days_ago(0))
    ActionItemFactory(
        title="Late but done",
        due_date=days_ago(5),
        status=ActionItem.Status.DONE,
        verified_by=user,
        verified_at=timezone.now(),
    )
    response = signed_in.get(LIST, {"overdue": "1"})
    assert titles(response) == ["Three days late", "One day late"]
    assertContains(response, "3 days overdue")
    assertContains(response, "1 day overdue")
    assertContains(response, 'name="overdue" value="1" checked')
    # Unfiltered, a done item is never shown as overdue.
    everything = signed_in.get(LIST)
    assert {a.title: a.overdue_days for a in everything.context["page"]}["Late but done"] == 0


def test_mine_filter(signed_in, user):
    ActionItemFactory(title="Mine", owner=user)
    ActionItemFactory(title="Someone else's")
    ActionItemFactory(title="A team's", owner=None, owner_team="SRE")
    response = signed_in.get(LIST, {"mine": "1"})
    assert titles(response) == ["Mine"]
    both = signed_in.get(LIST, {"mine": "1", "overdue": "1"})
    assertContains(both, "No actions match these filters.")


def test_empty_state_says_how_actions_arrive(signed_in):
    response = signed_in.get(LIST)
    assertContains(response, "No follow-up actions yet.")
    assertContains(response, "when a postmortem review adds them")


def test_empty_overdue_list_is_good_news(signed_in):
    ActionItemFactory(due_date=days_ago(-3))
    response = signed_in.get(LIST, {"overdue": "1"})
    assertContains(response, "Every open action is within its due date.")


def test_pagination_keeps_the_filters(signed_in):
    ActionItemFactory.create_batch(26, due_date=days_ago(2))
    first = signed_in.get(LIST, {"overdue": "1"})
    assert len(first.context["page"].object_list) == 25
    assertContains(first, 'href="?overdue=1&amp;page=2"')
    second = signed_in.get(LIST, {"overdue": "1", "page": "2"})
    assert len(second.context["page"].object_list) == 1


def test_htmx_request_gets_only_the_results(signed_in):
    ActionItemFactory(title="Only the rows")
    response = signed_in.get(LIST, {"mine": "0"}, headers={"HX-Request": "true"})
    assertContains(response, "Only the rows")
    assertNotContains(response, "<html")


@pytest.mark.parametrize("rows", [3, 10])
def test_list_query_count_does_not_grow_with_rows(signed_in, django_assert_num_queries, rows):
    for postmortem in PostmortemFactory.create_batch(rows):
        ActionItemFactory(postmortem=postmortem, due_date=days_ago(2))
        ActionItemFactory(postmortem=postmortem, owner=None, owner_team="SRE")
    # session, user, count, page of actions with postmortem, incident and owner
    with django_assert_num_queries(4):
        response = signed_in.get(LIST)
    assert len(response.context["page"].object_list) == 2 * rows
