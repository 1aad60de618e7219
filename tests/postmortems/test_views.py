import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from actions.models import ActionItem
from postmortems.kinds import TEMPLATES, Kind
from postmortems.models import ContributingFactor, Postmortem
from postmortems.services import postmortem_start
from tests.factories import (
    ActionItemFactory,
    ContributingFactorFactory,
    IncidentFactory,
    PostmortemFactory,
    TimelineEventFactory,
    UserFactory,
    WhyFactory,
)

pytestmark = pytest.mark.django_db

LIST = reverse("postmortems:list")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def detail(postmortem: Postmortem) -> str:
    return reverse("postmortems:detail", args=[postmortem.incident.ref])


def resolve(incident, at: dt.datetime) -> None:
    TimelineEventFactory(incident=incident, occurred_at=at, milestone="resolved", text="Resolved")


def start(kind: Kind, **incident) -> Postmortem:
    """A postmortem as the app starts one: with its template's sections and rows."""
    return postmortem_start(
        incident=IncidentFactory(**incident), kind=kind, facilitator=UserFactory()
    )


# Access


def test_anonymous_is_sent_to_login(client):
    postmortem = PostmortemFactory()
    for url in (LIST, detail(postmortem)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def restricted():
    return PostmortemFactory(
        incident=IncidentFactory(
            title="Leaked signing key",
            restricted=True,
            declared_by=UserFactory(username="declarer"),
            responders=[UserFactory(username="named")],
        )
    )


def test_restricted_postmortem_is_hidden_from_outsiders(client, outsider, restricted):
    PostmortemFactory(incident=IncidentFactory(title="Open for all"))
    client.force_login(outsider)
    response = client.get(LIST)
    assertContains(response, "Open for all")
    assertNotContains(response, "Leaked signing key")
    assert client.get(detail(restricted)).status_code == 404


@pytest.mark.parametrize("who", ["named", "declarer", "root"])
def test_restricted_postmortem_reaches_its_people(client, restricted, who):
    client.force_login(UserFactory(username=who, is_superuser=who == "root"))
    assertContains(client.get(LIST), "Leaked signing key")
    assertContains(client.get(detail(restricted)), "Leaked signing key")


# The list


def test_list_shows_template_state_facilitator_and_open_actions(signed_in):
    postmortem = PostmortemFactory(
        kind=Kind.REVIEW,
        state=Postmortem.State.IN_REVIEW,
        facilitator=UserFactory(first_name="Ada", last_name="Lovelace"),
        incident=IncidentFactory(title="Checkout errors"),
    )
    ActionItemFactory.create_batch(2, postmortem=postmortem)
    ActionItemFactory(postmortem=postmortem, status=ActionItem.Status.WONT_DO, wont_do_reason="x")
    response = signed_in.get(LIST)
    assertContains(response, "Checkout errors")
    assertContains(response, postmortem.incident.ref)
    assertContains(response, TEMPLATES[Kind.REVIEW].label)
    assertContains(response, "In review")
    assertContains(response, "Ada Lovelace")
    assertContains(response, '<td class="num">2</td>', html=True)


def test_due_is_48_hours_after_resolution_and_overdue_until_final(signed_in):
    resolved = timezone.now() - dt.timedelta(days=3)
    late = PostmortemFactory(incident=IncidentFactory(title="Late draft"))
    resolve(late.incident, resolved)
    done = PostmortemFactory(
        incident=IncidentFactory(title="Finished"),
        state=Postmortem.State.FINAL,
        finalized_at=timezone.now(),
    )
    resolve(done.incident, resolved)
    response = signed_in.get(LIST)
    assertContains(response, (resolved + dt.timedelta(hours=48)).strftime("%Y-%m-%d %H:%M"), 2)
    rows = {pm.incident.title: pm for pm in response.context["page"]}
    assert rows["Late draft"].overdue
    assert not rows["Finished"].overdue
    assertContains(response, "Overdue", count=1)


def test_due_is_unknown_until_the_incident_is_resolved(signed_in):
    PostmortemFactory()
    response = signed_in.get(LIST)
    assertContains(response, "Not resolved yet")
    assertNotContains(response, "Overdue")


def test_empty_state_says_how_postmortems_arrive(signed_in):
    response = signed_in.get(LIST)
    assertContains(response, "No postmortems yet.")
    assertContains(response, "once a review is started from an incident")


def test_pagination(signed_in):
    PostmortemFactory.create_batch(26)
    first = signed_in.get(LIST)
    assert len(first.context["page"].object_list) == 25
    assertContains(first, 'href="?page=2"')
    assert len(signed_in.get(LIST, {"page": 2}).context["page"].object_list) == 1


def test_htmx_request_gets_only_the_results(signed_in):
    PostmortemFactory(incident=IncidentFactory(title="Only the rows"))
    response = signed_in.get(LIST, headers={"HX-Request": "true"})
    assertContains(response, "Only the rows")
    assertNotContains(response, "<html")


@pytest.mark.parametrize("rows", [3, 10])
def test_list_query_count_does_not_grow_with_rows(signed_in, django_assert_num_queries, rows):
    for postmortem in PostmortemFactory.create_batch(rows):
        resolve(postmortem.incident, timezone.now())
        ActionItemFactory.create_batch(2, postmortem=postmortem)
    # session, user, count, page (resolution time and open actions as
    # subqueries), the facilitator filter's choices, incidents still waiting
    # for a postmortem
    with django_assert_num_queries(6):
        response = signed_in.get(LIST)
    assert all(pm.due and pm.open_actions == 2 for pm in response.context["page"])


# The document


def test_full_postmortem_renders_its_template_in_order(signed_in):
    postmortem = start(Kind.FULL, title="Payments down")
    postmortem.sections.filter(key="what_happened").update(body="The pool **ran dry**.")
    postmortem.impact_fields.filter(key="affected_users").update(value="12% of EU")
    response = signed_in.get(detail(postmortem))
    content = response.content.decode()
    titles = [section.title for section in TEMPLATES[Kind.FULL].sections]
    positions = [content.index(f">{escape(title)}</h") for title in titles]
    assert positions == sorted(positions)
    # The group heading comes before its sections, which are one level down.
    assert content.index("<h2>Root Cause Analysis</h2>") < content.index("<h3>What Happened</h3>")
    assertContains(response, "<h2>Executive Summary</h2>")
    assertContains(response, "The pool <strong>ran dry</strong>.")
    assertContains(response, "Not written yet. 2-3 sentences for executives.")
    assertContains(response, "<dt>Affected Users</dt><dd>12% of EU</dd>", html=True)
    assertContains(response, "<h3>Customer Impact</h3>")
    for role in TEMPLATES[Kind.FULL].signoff_roles:
        assertContains(response, f"<td>{role}</td>")
    assertContains(response, "5 Whys")


def test_section_markdown_is_sanitized(signed_in):
    postmortem = start(Kind.PULSE)
    postmortem.sections.filter(key="summary").update(
        body="<script>alert(1)</script>[x](javascript:alert(2)) <img src=x onerror=alert(3)>"
    )
    response = signed_in.get(detail(postmortem))
    assertNotContains(response, "alert(2)")
    assertNotContains(response, "onerror")
    assert "<script>alert" not in response.content.decode()


def test_factors_whys_and_actions_are_shown(signed_in):
    postmortem = start(Kind.FULL)
    ContributingFactorFactory(
        postmortem=postmortem,
        layer=ContributingFactor.Layer.DETECTION_GAP,
        description="No alert on pool saturation",
        status=ContributingFactor.Status.VERIFIED,
    )
    ContributingFactorFactory(postmortem=postmortem, description="Config change unreviewed")
    WhyFactory(postmortem=postmortem, question="Why did checkout fail?", answer="Pool exhausted.")
    ActionItemFactory(
        postmortem=postmortem,
        number=1,
        title="Alert on pool saturation",
        owner=None,
        owner_team="SRE",
        due_date=timezone.localdate() - dt.timedelta(days=3),
    )
    response = signed_in.get(detail(postmortem))
    assertContains(response, "Detection gap")
    assertContains(response, '<span class="badge badge--verified">Verified</span>', html=True)
    assertContains(response, "Candidate (to verify)")
    assertContains(response, "Why did checkout fail?")
    assertContains(response, "Pool exhausted.")
    assertContains(response, "AI-001")
    assertContains(response, "<td>SRE</td>", html=True)
    assertContains(response, "3 days overdue")


def test_parts_follow_the_template(signed_in):
    response = signed_in.get(detail(start(Kind.REVIEW)))
    assertContains(response, "<dt>SLO budget consumed</dt>", html=True)
    assertNotContains(response, "5 Whys")
    assertNotContains(response, "Sign-off")
    pulse = signed_in.get(detail(start(Kind.PULSE)))
    assertNotContains(pulse, 'id="impact"')  # the pulse template has no impact fields
    assertContains(pulse, "Human + technical factors.")


def test_detail_shows_the_due_date(signed_in):
    postmortem = start(Kind.REVIEW)
    resolved = timezone.now() - dt.timedelta(days=5)
    resolve(postmortem.incident, resolved)
    response = signed_in.get(detail(postmortem))
    assertContains(response, (resolved + dt.timedelta(hours=48)).strftime("%Y-%m-%d %H:%M"))
    assertContains(response, "Overdue")


def test_detail_of_a_lighter_template_runs_fewer_queries(signed_in, django_assert_num_queries):
    postmortem = start(Kind.PULSE)
    # session, user, postmortem, sections, events, attachments, related,
    # factors, actions, revisions, workflow history, the add-action form's
    # people: the pulse template has no impact fields, whys or sign-off, so
    # those are not read (the full template: test_document_page)
    with django_assert_num_queries(12):
        signed_in.get(detail(postmortem))
