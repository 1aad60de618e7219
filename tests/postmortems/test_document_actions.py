"""Action items inside the postmortem: added and edited in place, numbered
AI-001 ..., done only once someone confirmed the verification signal."""

import datetime as dt

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from actions.models import ActionItem
from postmortems.models import Revision
from tests.factories import (
    ActionItemFactory,
    ContributingFactorFactory,
    PostmortemFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def dana():
    return UserFactory(first_name="Dana", last_name="Ruiz")


@pytest.fixture
def signed_in(client, dana):
    client.force_login(dana)
    return client


@pytest.fixture
def postmortem():
    return PostmortemFactory()


def url(name: str, postmortem, *args) -> str:
    return reverse(f"postmortems:{name}", args=[postmortem.incident.ref, *args])


def fields(**overrides) -> dict:
    return {
        "title": "Alert on connection-pool saturation",
        "category": "detect",
        "owner_team": "Payments SRE",
        "priority": "P1",
        "due_date": "2026-12-15",
        "status": "open",
        "verification_signal": "Done when the alert fires in the staging game day",
        "tracking_url": "https://tracker.example.com/PAY-142",
    } | overrides


def edit_data(action, prefix: bool = True, **overrides) -> dict:
    data = fields(**overrides)
    data = {f"action-{action.pk}-{k}": v for k, v in data.items()} if prefix else data
    return data | {"version": action.version}


def test_an_action_is_added_with_everything_the_seed_asks_for(signed_in, postmortem, dana):
    factor = ContributingFactorFactory(postmortem=postmortem, description="No saturation alert")
    response = signed_in.post(url("action-add", postmortem), fields(factor=factor.pk), headers=HTMX)
    assert response.status_code == 200
    action = postmortem.actions.get()
    assert (action.ref, action.owner_team, action.priority) == ("AI-001", "Payments SRE", "P1")
    assert action.due_date == dt.date(2026, 12, 15)
    assert action.factor == factor
    assertContains(response, "AI-001")
    assertContains(response, "Answers: No saturation alert")
    assertContains(response, 'href="https://tracker.example.com/PAY-142"')
    # The next one is numbered on.
    signed_in.post(url("action-add", postmortem), fields(title="Load-test the pool"))
    assert list(postmortem.actions.values_list("number", flat=True)) == [1, 2]
    assert Revision.objects.filter(postmortem=postmortem, target="action:AI-002").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"tracking_url": "javascript:alert(1)"}, "tracking_url", "Enter a valid URL."),
        ({"tracking_url": "ftp://files.example.com/x"}, "tracking_url", "Enter a valid URL."),
        ({"status": "wont_do"}, "wont_do_reason", "Say why this action will not be done."),
        (
            {"status": "done", "verification_signal": ""},
            "verification_signal",
            "Say how anyone can see it worked",
        ),
        ({"status": "done"}, "confirm_verified", "Confirm you have seen the signal"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_keeps_what_was_typed(
    signed_in, postmortem, overrides, field, message
):
    response = signed_in.post(url("action-add", postmortem), fields(**overrides), headers=HTMX)
    assert response.status_code == 422
    assert field in response.context["action_form"].errors
    assertContains(response, message, status_code=422)
    assertContains(response, "Payments SRE", status_code=422)  # what was typed stays
    assert not postmortem.actions.exists()


def test_a_person_or_a_team_owns_it_not_both(signed_in, postmortem, dana):
    response = signed_in.post(url("action-add", postmortem), fields(owner=dana.pk))
    assertContains(response, "Choose a person or a team, not both.", status_code=422)


def test_only_this_postmortems_factors_can_be_answered(signed_in, postmortem):
    elsewhere = ContributingFactorFactory(postmortem=PostmortemFactory())
    response = signed_in.post(url("action-add", postmortem), fields(factor=elsewhere.pk))
    assert response.status_code == 422
    assert "factor" in response.context["action_form"].errors


def test_editing_a_row_fetches_its_form_and_saving_shows_the_row_again(signed_in, postmortem):
    action = ActionItemFactory(postmortem=postmortem, title="Add a canary stage", priority="P2")
    form = signed_in.get(url("action-edit", postmortem, action.pk), headers=HTMX)
    assertContains(form, 'value="Add a canary stage"')
    assertContains(form, f'name="version" value="{action.version}"')
    response = signed_in.post(
        url("action-edit", postmortem, action.pk),
        edit_data(action, title="Add a canary stage to the deploy pipeline", priority="P0"),
        headers=HTMX,
    )
    assert response.status_code == 200
    assertContains(response, "Add a canary stage to the deploy pipeline")
    assertNotContains(response, "<form")
    action.refresh_from_db()
    assert (action.priority, action.version) == ("P0", 2)
    # Cancel puts the row back as it is.
    assertContains(signed_in.get(url("action", postmortem, action.pk)), "P0")


def test_done_records_who_confirmed_the_signal_and_when(signed_in, postmortem, dana):
    action = ActionItemFactory(postmortem=postmortem)
    response = signed_in.post(
        url("action-edit", postmortem, action.pk),
        edit_data(action, status="done", confirm_verified="on"),
        headers=HTMX,
    )
    assert response.status_code == 200
    action.refresh_from_db()
    assert action.status == ActionItem.Status.DONE
    assert action.verified_by == dana
    assert action.verified_at is not None
    assertContains(response, "Verified by Dana Ruiz")
    # Reopened, it needs confirming again.
    signed_in.post(url("action-edit", postmortem, action.pk), edit_data(action, status="open"))
    action.refresh_from_db()
    assert (action.verified_by, action.verified_at) == (None, None)


def test_a_stale_save_shows_theirs_and_keeps_yours(signed_in, postmortem):
    action = ActionItemFactory(postmortem=postmortem, title="Add a canary stage")
    mine = edit_data(action, title="Mine: canary for every service")
    ActionItem.objects.filter(pk=action.pk).update(title="Theirs: canary for checkout", version=2)
    response = signed_in.post(url("action-edit", postmortem, action.pk), mine, headers=HTMX)
    assert response.status_code == 409
    assertContains(response, "Theirs: canary for checkout", status_code=409)
    assertContains(response, 'value="Mine: canary for every service"', status_code=409)
    # The form now carries their version: saving again is a deliberate choice.
    assertContains(response, 'name="version" value="2"', status_code=409)
    action.refresh_from_db()
    assert action.title == "Theirs: canary for checkout"
