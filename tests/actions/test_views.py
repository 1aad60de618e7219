import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from actions.models import ActionItem
from tests.factories import (
    ActionItemFactory,
    IncidentFactory,
    PostmortemFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("actions:list")
NAV = reverse("actions:nav_counts")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def titles(response) -> list[str]:
    return [action.title for action in response.context["page"]]


def done(**kwargs) -> ActionItem:
    return ActionItemFactory(
        status=ActionItem.Status.DONE,
        verified_by=UserFactory(),
        verified_at=timezone.now(),
        **kwargs,
    )


def untouched_for(action: ActionItem, days: int) -> None:
    ActionItem.objects.filter(pk=action.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=days)
    )


def test_anonymous_is_sent_to_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={LIST}"


def test_actions_of_restricted_incidents_reach_only_their_people(client, outsider):
    named = UserFactory(username="named")
    secret = PostmortemFactory(incident=IncidentFactory(restricted=True, responders=[named]))
    ActionItemFactory(
        postmortem=secret, title="Rotate the signing key", owner=None, owner_team="Security"
    )
    ActionItemFactory(title="Alert on pool saturation", due_date=days_ago(3))
    ActionItemFactory(postmortem=secret, due_date=days_ago(3))
    client.force_login(outsider)
    response = client.get(LIST, {"bucket": "all"})
    assertContains(response, "Alert on pool saturation")
    assertNotContains(response, "Rotate the signing key")
    assertNotContains(response, secret.incident.ref)
    # Nor in the counts, nor among the teams to filter by, nor in the navigation.
    assert response.context["buckets"][1].count == 1
    assertNotContains(response, '<option value="Security">')
    assertContains(client.get(NAV), '1<span class="nav__count-word"> overdue</span>')
    client.force_login(named)
    response = client.get(LIST, {"bucket": "all"})
    assertContains(response, "Rotate the signing key")
    assert response.context["buckets"][1].count == 2
    assertContains(client.get(NAV), '2<span class="nav__count-word"> overdue</span>')


def test_row_shows_what_a_manager_needs(signed_in):
    postmortem = PostmortemFactory(incident=IncidentFactory(severity="SEV-1"))
    ActionItemFactory(
        postmortem=postmortem,
        number=7,
        title="Add a pool saturation alert",
        owner=UserFactory(first_name="Ada", last_name="Lovelace"),
        priority=ActionItem.Priority.P0,
        due_date=days_ago(3),
        category=ActionItem.Category.DETECT,
    )
    ActionItemFactory(postmortem=postmortem, number=8, owner=None, owner_team="Payments SRE")
    response = signed_in.get(LIST)
    assertContains(response, "AI-007")
    assertContains(response, "Add a pool saturation alert")
    assertContains(response, f'href="{postmortem.get_absolute_url()}"')
    assertContains(response, '<span class="badge badge--sev-1">SEV-1</span>', html=True)
    assertContains(response, "Ada Lovelace")
    assertContains(response, "Payments SRE")
    assertContains(response, '<span class="badge badge--p0"')
    assertContains(response, f"{days_ago(3):%Y-%m-%d}")
    assertContains(response, "3 days overdue")
    assertContains(response, "Detect")


def test_open_items_by_due_date_with_undated_last(signed_in):
    ActionItemFactory(title="No date", due_date=None)
    ActionItemFactory(title="Next week", due_date=days_ago(-7))
    ActionItemFactory(title="Long overdue", due_date=days_ago(10))
    done(title="Closed")
    assert titles(signed_in.get(LIST)) == ["Long overdue", "Next week", "No date"]
    assert titles(signed_in.get(LIST, {"bucket": "all"}))[-1] == "No date"
    assert "Closed" in titles(signed_in.get(LIST, {"bucket": "all"}))


def test_buckets_and_their_counts(signed_in):
    ActionItemFactory(title="Three days late", due_date=days_ago(3))
    ActionItemFactory(title="One day late", due_date=days_ago(1))
    ActionItemFactory(title="Due today", due_date=days_ago(0))
    ActionItemFactory(title="Due in a week", due_date=days_ago(-7))
    ActionItemFactory(title="Due in eight days", due_date=days_ago(-8))
    untouched_for(ActionItemFactory(title="Forgotten", due_date=days_ago(-30)), 15)
    untouched_for(ActionItemFactory(title="Quiet a while", due_date=days_ago(-30)), 13)
    done(title="Done today", due_date=days_ago(5))
    last_month = timezone.now() - dt.timedelta(days=40)
    ActionItemFactory(
        title="Done long ago",
        status=ActionItem.Status.DONE,
        verified_by=UserFactory(),
        verified_at=last_month,
    )
    expected = {
        "overdue": ["Three days late", "One day late"],
        "due_soon": ["Due today", "Due in a week"],
        "stale": ["Forgotten"],
        "done_month": ["Done today"],
    }
    for bucket, shown in expected.items():
        response = signed_in.get(LIST, {"bucket": bucket})
        assert titles(response) == shown, bucket
        counts = {choice.value: choice.count for choice in response.context["buckets"]}
        assert counts == {
            "": 7,
            "overdue": 2,
            "due_soon": 2,
            "stale": 1,
            "done_month": 1,
            "all": None,
        }
    overdue = signed_in.get(LIST, {"bucket": "overdue"})
    assertContains(overdue, "3 days overdue")
    assertContains(overdue, "1 day overdue")
    checked = re.findall(r'name="bucket" value="(\w*)"[^>]*checked', overdue.content.decode())
    assert checked == ["overdue"]
    assertContains(signed_in.get(LIST, {"bucket": "stale"}), "15 days ago")


def test_filters_combine_and_narrow_the_counts(signed_in, user):
    ActionItemFactory(
        title="Platform P0", owner=None, owner_team="Platform", priority="P0", due_date=days_ago(2)
    )
    ActionItemFactory(
        title="Platform P1", owner=None, owner_team="Platform", priority="P1", due_date=days_ago(9)
    )
    ActionItemFactory(
        title="Platform P2", owner=None, owner_team="Platform", priority="P2", due_date=days_ago(2)
    )
    ActionItemFactory(
        title="Payments P0", owner=None, owner_team="Payments", priority="P0", due_date=days_ago(2)
    )
    ActionItemFactory(title="Platform P0 soon", owner=None, owner_team="Platform", priority="P0")
    query = {"bucket": "overdue", "team": "Platform", "priority": ["P0", "P1"]}
    response = signed_in.get(LIST, query)
    assert titles(response) == ["Platform P1", "Platform P0"]
    assert response.context["buckets"][1].count == 2
    assert response.context["buckets"][2].count == 1  # due soon, same filters
    assertContains(response, '<option value="Platform" selected>Platform</option>', html=True)
    assertContains(response, 'value="P0" id="id_priority_0" checked')
    assertContains(response, 'value="P1" id="id_priority_1" checked')
    assertContains(response, 'value="overdue" id="bucket-overdue" checked')


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"category": "learn"}, ["Learn"]),
        ({"mine": "on"}, ["Mine"]),
        ({"owner": "OWNER"}, ["Owned"]),
        ({"priority": "P3"}, ["P3"]),
    ],
)
def test_each_filter(signed_in, user, filters, expected):
    owner = UserFactory(username="owner")
    ActionItemFactory(title="Learn", category="learn", priority="P2", owner=UserFactory())
    ActionItemFactory(title="Mine", owner=user, priority="P2")
    ActionItemFactory(title="Owned", owner=owner, priority="P2")
    ActionItemFactory(title="P3", priority="P3")
    filters = {k: str(owner.pk) if v == "OWNER" else v for k, v in filters.items()}
    assert titles(signed_in.get(LIST, filters)) == expected


def test_unknown_filter_values_filter_nothing(signed_in):
    ActionItemFactory(title="Still here")
    response = signed_in.get(
        LIST, {"bucket": "bogus", "priority": "P9", "group": "x", "owner": "a"}
    )
    assert response.status_code == 200
    assert titles(response) == ["Still here"]


@pytest.mark.parametrize(
    ("group", "headings"),
    [
        (
            "owner",
            ["Ada Byron · 2 actions", "Grace Hopper · 1 action", "Owned by a team · 1 action"],
        ),
        ("team", ["Platform · 1 action", "No team: owned by a person · 3 actions"]),
        ("priority", ["P0 · drop everything · 2 actions", "P2 · this month · 2 actions"]),
        (
            "severity",
            [
                "SEV-1 · Critical: full outage · 1 action",
                "SEV-3 · Minor: limited impact · 3 actions",
            ],
        ),
    ],
)
def test_grouping(signed_in, group, headings):
    ada = UserFactory(first_name="Ada", last_name="Byron")
    grace = UserFactory(first_name="Grace", last_name="Hopper")
    sev1 = PostmortemFactory(incident=IncidentFactory(severity="SEV-1"))
    sev3 = PostmortemFactory(incident=IncidentFactory(severity="SEV-3"))
    ActionItemFactory(postmortem=sev1, owner=ada, priority="P0")
    ActionItemFactory(postmortem=sev3, owner=ada, priority="P2")
    ActionItemFactory(postmortem=sev3, owner=grace, priority="P0")
    ActionItemFactory(postmortem=sev3, owner=None, owner_team="Platform", priority="P2")
    response = signed_in.get(LIST, {"group": group})
    shown = [
        f"{g.title} · {g.total} action{'s' if g.total > 1 else ''}"
        for g in response.context["groups"]
    ]
    assert shown == headings
    assertContains(response, '<th scope="colgroup" colspan="7">', count=len(headings))


def test_group_totals_count_every_page(signed_in):
    ActionItemFactory.create_batch(30, owner=None, owner_team="Platform")
    response = signed_in.get(LIST, {"group": "team", "page": "2"})
    [group] = response.context["groups"]
    assert (group.title, group.total, len(group.actions)) == ("Platform", 30, 5)


def test_grouping_by_postmortem_newest_review_first(signed_in):
    older = PostmortemFactory(created_at=timezone.now() - dt.timedelta(days=3))
    newer = PostmortemFactory()
    ActionItemFactory(postmortem=older)
    ActionItemFactory(postmortem=newer)
    groups = signed_in.get(LIST, {"group": "postmortem"}).context["groups"]
    assert [g.title for g in groups] == [
        f"{p.incident.ref} · {p.incident.title}" for p in (newer, older)
    ]


def test_empty_state_says_how_actions_arrive(signed_in):
    response = signed_in.get(LIST)
    assertContains(response, "No open follow-up actions.")
    assertContains(response, "when a postmortem review adds them")
    assertNotContains(response, "Download CSV")


def test_empty_overdue_bucket_is_good_news(signed_in):
    ActionItemFactory(due_date=days_ago(-3))
    response = signed_in.get(LIST, {"bucket": "overdue"})
    assertContains(response, "No actions match these filters.")
    assertContains(response, "Nothing here is past its due date.")
    assertContains(response, f'<a href="{LIST}">Show every open action</a>', html=True)


def test_pagination_keeps_the_filters(signed_in):
    ActionItemFactory.create_batch(26, due_date=days_ago(2))
    first = signed_in.get(LIST, {"bucket": "overdue"})
    assert len(first.context["page"].object_list) == 25
    assertContains(first, 'href="?bucket=overdue&amp;page=2"')
    second = signed_in.get(LIST, {"bucket": "overdue", "page": "2"})
    assert len(second.context["page"].object_list) == 1


def test_htmx_request_gets_the_results_and_the_new_counts_not_the_form(signed_in):
    ActionItemFactory(title="Only the rows", due_date=days_ago(1))
    response = signed_in.get(LIST, {"mine": ""}, headers={"HX-Request": "true"})
    assertContains(response, "Only the rows")
    assertContains(response, '<div id="results"')
    assertContains(
        response, '<span class="bucket__count" id="count-overdue" hx-swap-oob="true">1</span>'
    )
    assertNotContains(response, "<form")
    assertNotContains(response, "<html")
    assert response["Vary"] == "HX-Request, Cookie"


def test_the_filters_form_works_without_javascript(signed_in):
    response = signed_in.get(LIST)
    assertContains(response, f'<form class="dashboard-filters" method="get" action="{LIST}"')
    assertContains(response, '<legend class="visually-hidden">Show</legend>')
    assertContains(response, '<label class="bucket bucket--overdue" for="bucket-overdue">')
    for name in ("team", "owner", "category", "group"):
        assertContains(response, f'<label for="id_{name}">')
    assertContains(response, "<legend>Priority</legend>")
    assertContains(response, '<label class="filters__check" for="id_mine">')


def test_export_link_carries_the_filters(signed_in):
    ActionItemFactory(due_date=days_ago(2), priority="P1")
    response = signed_in.get(LIST, {"bucket": "overdue", "priority": "P1", "page": "1"})
    export = reverse("actions:export")
    assertContains(response, f'href="{export}?bucket=overdue&amp;priority=P1" download')


def test_navigation_counts_overdue_mine_and_all(signed_in, user):
    ActionItemFactory(owner=user, due_date=days_ago(1))
    ActionItemFactory(due_date=days_ago(4))
    ActionItemFactory(owner=user, due_date=days_ago(-1))
    response = signed_in.get(NAV)
    assertContains(response, '2<span class="nav__count-word"> overdue</span>')
    assertContains(response, 'href="/actions/?bucket=overdue&amp;mine=1"')
    assertContains(
        response,
        '1 <span class="visually-hidden">overdue actions are </span>'
        '<span class="nav__count-word">yours</span>',
    )
    page = signed_in.get(reverse("incidents:list"))
    assertContains(page, f'hx-get="{NAV}" hx-trigger="load"')


def test_navigation_shows_nothing_when_nothing_is_overdue(signed_in):
    ActionItemFactory(due_date=days_ago(-1))
    assert signed_in.get(NAV).content.decode().strip() == ""


@pytest.mark.parametrize("rows", [3, 30])
def test_navigation_counts_take_one_query(signed_in, user, django_assert_num_queries, rows):
    for _ in range(rows):
        ActionItemFactory(owner=user, due_date=days_ago(2))
    with django_assert_num_queries(3):  # session, user, one aggregate
        signed_in.get(NAV)


# session, user, counts (which count the page too), page rows, team and owner choices
PAGE_QUERIES = 6


@pytest.mark.parametrize("rows", [3, 12])
@pytest.mark.parametrize(
    ("query", "extra"),
    [
        ({}, 0),
        ({"bucket": "overdue"}, 0),
        ({"bucket": "stale", "priority": ["P0", "P1"], "team": "SRE"}, 0),
        ({"group": "owner"}, 1),  # each group's total
        ({"bucket": "all"}, 1),  # everything, closed too: counted on its own
        ({"group": "postmortem", "bucket": "all", "mine": "on"}, 2),
    ],
)
def test_query_count_does_not_grow_with_rows(
    signed_in, user, django_assert_num_queries, rows, query, extra
):
    restricted = PostmortemFactory(incident=IncidentFactory(restricted=True, responders=[user]))
    for postmortem in [restricted, *PostmortemFactory.create_batch(rows)]:
        ActionItemFactory(postmortem=postmortem, owner=user, due_date=days_ago(2))
        ActionItemFactory(postmortem=postmortem, owner=None, owner_team="SRE", priority="P0")
        done(postmortem=postmortem, owner=UserFactory())
    ActionItem.objects.update(updated_at=timezone.now() - dt.timedelta(days=20))  # stale too
    with django_assert_num_queries(PAGE_QUERIES + extra):
        response = signed_in.get(LIST, query)
    with django_assert_num_queries(PAGE_QUERIES + extra - 2):  # no form: no choices
        signed_in.get(LIST, query, headers={"HX-Request": "true"})
    assert response.context["page"].object_list


def test_an_owner_filter_costs_one_query_more(signed_in, user, django_assert_num_queries):
    ActionItemFactory.create_batch(5, owner=user)
    with django_assert_num_queries(PAGE_QUERIES + 1):  # the chosen owner, validated
        response = signed_in.get(LIST, {"owner": user.pk})
    assert len(response.context["page"].object_list) == 5
