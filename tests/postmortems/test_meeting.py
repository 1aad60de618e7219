"""Meeting mode: the agenda of each template, stepping, the capture box."""

import json

import pytest
from django.db import IntegrityError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from actions.models import ActionItem
from actions.services import action_capture
from incidents.models import RoleAssignment
from postmortems.kinds import Kind, template_for
from postmortems.models import Revision
from postmortems.services import postmortem_start
from postmortems.views.meeting import agenda
from tests.factories import (
    ActionItemFactory,
    ContributingFactorFactory,
    IncidentFactory,
    RoleAssignmentFactory,
    TimelineEventFactory,
    UserFactory,
    WhyFactory,
)

pytestmark = pytest.mark.django_db

FULL_AGENDA = [
    "Timeline",
    "Impact",
    "Contributing factors",
    "5 whys",
    "What went well / poorly",
    "Actions",
]
PULSE_AGENDA = ["Timeline", "Impact", "Contributing factors", "What went well / poorly", "Actions"]


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def started(kind: str = Kind.FULL, **incident):
    return postmortem_start(incident=IncidentFactory(**incident), kind=kind, facilitator=None)


def meeting_url(postmortem, step: int | None = None) -> str:
    url = reverse("postmortems:meeting", kwargs={"ref": postmortem.incident.ref})
    return f"{url}?step={step}" if step else url


def capture_url(postmortem) -> str:
    return reverse("postmortems:meeting-capture", kwargs={"ref": postmortem.incident.ref})


@pytest.mark.parametrize(("kind", "titles"), [(Kind.FULL, FULL_AGENDA), (Kind.PULSE, PULSE_AGENDA)])
def test_the_agenda_follows_the_template_whys_only_in_full(kind, titles):
    assert [step.title for step in agenda(template_for(kind))] == titles


@pytest.mark.parametrize(("kind", "titles"), [(Kind.FULL, FULL_AGENDA), (Kind.PULSE, PULSE_AGENDA)])
def test_each_step_renders_with_its_title_and_the_agenda(signed_in, kind, titles):
    postmortem = started(kind)
    for number, title in enumerate(titles, start=1):
        response = signed_in.get(meeting_url(postmortem, number))
        assertContains(
            response, f'<h2 class="meeting-step__title" id="meeting-step-title">{title}</h2>'
        )
        assertContains(response, f"Step {number} of {len(titles)}")
        assertContains(response, '<body class="meeting"')
        assertContains(response, 'id="meeting-capture"')
    if kind == Kind.PULSE:
        assertNotContains(response, "5 whys")


def test_the_steps_show_the_postmortems_rows(signed_in):
    postmortem = started(Kind.FULL)
    TimelineEventFactory(incident=postmortem.incident, text="Pager fired for checkout")
    ContributingFactorFactory(postmortem=postmortem, description="Pool not released")
    WhyFactory(postmortem=postmortem, question="Why did checkout stall?")
    postmortem.sections.filter(key="went_well").update(body="Rollback was **fast**")
    ActionItemFactory(postmortem=postmortem, number=1, title="Add a pool alert")
    expected = {
        1: "Pager fired for checkout",
        3: "Pool not released",
        4: "Why did checkout stall?",
        5: "<strong>fast</strong>",
        6: "AI-001</span> Add a pool alert",
    }
    for number, text in expected.items():
        assertContains(signed_in.get(meeting_url(postmortem, number)), text)


@pytest.mark.parametrize(("raw", "shown"), [("0", 1), ("-3", 1), ("99", 6), ("x", 1), ("", 1)])
def test_the_step_clamps_to_the_agenda(signed_in, raw, shown):
    postmortem = started(Kind.FULL)
    url = reverse("postmortems:meeting", kwargs={"ref": postmortem.incident.ref})
    response = signed_in.get(f"{url}?step={raw}")
    assert response.status_code == 200
    assertContains(response, f"Step {shown} of 6")


def test_an_htmx_step_change_sends_only_the_step(signed_in):
    postmortem = started(Kind.FULL)
    response = signed_in.get(meeting_url(postmortem, 2), headers={"HX-Request": "true"})
    assertContains(response, 'id="meeting-step"')
    assertContains(response, "data-step-started")
    assertNotContains(response, 'id="meeting-capture"')
    assertNotContains(response, "<body")


def test_attendees_are_the_facilitator_and_the_current_role_holders(signed_in):
    facilitator = UserFactory(first_name="Fran", last_name="Facil")
    incident = IncidentFactory()
    postmortem = postmortem_start(incident=incident, kind=Kind.PULSE, facilitator=facilitator)
    RoleAssignmentFactory(incident=incident, user=UserFactory(first_name="Ida", last_name="Cmd"))
    response = signed_in.get(meeting_url(postmortem))
    assertContains(response, "Fran Facil")
    assertContains(response, "Ida Cmd")
    assertContains(response, "Incident commander")


def test_capture_numbers_the_actions_and_the_actions_step_lists_them(signed_in, user):
    postmortem = started(Kind.FULL)
    owner = UserFactory(first_name="Olga", last_name="Owner")
    first = signed_in.post(
        capture_url(postmortem),
        {"title": "Alert on pool saturation", "category": "detect", "owner": owner.pk},
        headers={"HX-Request": "true"},
    )
    assertContains(first, "AI-001 captured")
    assert "action-captured" in json.loads(first.headers["HX-Trigger"])
    second = signed_in.post(
        capture_url(postmortem),
        {"title": "Runbook for pool exhaustion", "category": "learn", "owner_team": "Payments"},
        headers={"HX-Request": "true"},
    )
    assertContains(second, "AI-002 captured")
    # The box comes back empty for the next one.
    assertNotContains(second, "Runbook for pool exhaustion")
    actions = list(postmortem.actions.order_by("number"))
    assert [(a.number, a.title, a.priority) for a in actions] == [
        (1, "Alert on pool saturation", "P2"),
        (2, "Runbook for pool exhaustion", "P2"),
    ]
    assert actions[0].owner == owner
    assert actions[1].owner_team == "Payments"
    assert (
        Revision.objects.filter(postmortem=postmortem, target="action:AI-002").get().author == user
    )
    page = signed_in.get(meeting_url(postmortem, 6))
    assertContains(page, "AI-001</span> Alert on pool saturation")
    assertContains(page, "AI-002</span> Runbook for pool exhaustion")
    assertContains(page, "Olga Owner")


def test_capture_continues_after_the_highest_number(user):
    postmortem = started(Kind.PULSE)
    ActionItemFactory(postmortem=postmortem, number=7)
    action = action_capture(postmortem=postmortem, by=user, title="Next", category="prevent")
    assert action.ref == "AI-008"


def test_capture_retries_once_on_a_number_collision(user, monkeypatch):
    postmortem = started(Kind.PULSE)
    original = ActionItem.objects.create
    calls = []

    def collide_once(**fields):
        calls.append(fields["number"])
        if len(calls) == 1:
            # A concurrent capture took the number (its row is in another
            # transaction, so it is not visible here).
            raise IntegrityError("actions_actionitem_number_unique")
        return original(**fields)

    monkeypatch.setattr(ActionItem.objects, "create", collide_once)
    action = action_capture(postmortem=postmortem, by=user, title="Ours", category="detect")
    assert len(calls) == 2
    assert action.pk
    assert action.title == "Ours"


def test_capture_gives_up_after_the_second_collision(user, monkeypatch):
    postmortem = started(Kind.PULSE)

    def always_taken(**fields):
        raise IntegrityError("actions_actionitem_number_unique")

    monkeypatch.setattr(ActionItem.objects, "create", always_taken)
    with pytest.raises(IntegrityError):
        action_capture(postmortem=postmortem, by=user, title="Ours", category="detect")


def test_invalid_capture_keeps_what_was_typed(signed_in):
    postmortem = started(Kind.FULL)
    response = signed_in.post(
        capture_url(postmortem),
        {"title": "", "category": "mitigate", "owner_team": "Platform on-call"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assertContains(response, "field__error", status_code=422)
    assertContains(response, 'value="Platform on-call"', status_code=422)
    checked = 'value="mitigate" required id="id_category_2" checked'
    assertContains(response, checked, status_code=422)
    assert not postmortem.actions.exists()


def test_a_person_and_a_team_together_are_refused(signed_in):
    postmortem = started(Kind.FULL)
    response = signed_in.post(
        capture_url(postmortem),
        {"title": "X", "category": "learn", "owner": UserFactory().pk, "owner_team": "Ops"},
        headers={"HX-Request": "true"},
    )
    assertContains(response, "Choose a person or a team, not both.", status_code=422)


def test_capture_without_htmx_returns_to_the_actions_step(signed_in):
    postmortem = started(Kind.PULSE)
    response = signed_in.post(capture_url(postmortem), {"title": "T", "category": "learn"})
    assert response.status_code == 302
    assert response.url == meeting_url(postmortem, 5)


def test_an_outsider_gets_404_on_the_page_and_the_capture(client):
    responder = UserFactory()
    postmortem = started(Kind.FULL, restricted=True, responders=[responder])
    client.force_login(UserFactory(username="outsider"))
    assert client.get(meeting_url(postmortem)).status_code == 404
    response = client.post(capture_url(postmortem), {"title": "Sneaky", "category": "learn"})
    assert response.status_code == 404
    assert not postmortem.actions.exists()
    client.force_login(responder)
    assert client.get(meeting_url(postmortem)).status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("step", [1, 2, 3, 4, 5, 6])
def test_meeting_page_query_count_does_not_grow_with_rows(
    signed_in, django_assert_num_queries, rows, step
):
    postmortem = started(Kind.FULL)
    for role in list(RoleAssignment.Role)[: min(rows, 4)]:
        RoleAssignmentFactory(incident=postmortem.incident, role=role)
    for n in range(rows):
        TimelineEventFactory(incident=postmortem.incident)
        ContributingFactorFactory(postmortem=postmortem)
        WhyFactory(postmortem=postmortem)
        ActionItemFactory(postmortem=postmortem, number=n + 1)
    with django_assert_num_queries(QUERIES[step]):
        signed_in.get(meeting_url(postmortem, step))


# session, user, postmortem, role holders, the owner select, and the step's
# rows (impact: events, impact fields and sections).
QUERIES = {1: 6, 2: 8, 3: 6, 4: 6, 5: 6, 6: 6}
