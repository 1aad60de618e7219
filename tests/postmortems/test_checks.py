"""The postmortem checks itself: every check passes on a complete postmortem,
and fails, alone, when one thing it looks for is broken; Final is refused
while an error stands unless the facilitator overrode that check."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from incidents.models import RoleAssignment
from postmortems import checks
from postmortems.models import Postmortem
from postmortems.services import check_override, postmortem_transition
from tests.factories import (
    ActionItemFactory,
    CheckpointFactory,
    ContributingFactorFactory,
    RoleAssignmentFactory,
    TimelineEventFactory,
    UserFactory,
    complete_postmortem,
)

pytestmark = pytest.mark.django_db


def failing(postmortem: Postmortem) -> dict[str, list[checks.Finding]]:
    """Findings by check, for the checks that have any."""
    report = checks.run(Postmortem.objects.get(pk=postmortem.pk))
    return {r.check: r.findings for r in report.results if r.findings}


def errors(postmortem: Postmortem) -> dict[str, list[str]]:
    found = failing(postmortem)
    return {
        check: [f.message for f in findings if f.level == "error"]
        for check, findings in found.items()
        if any(f.level == "error" for f in findings)
    }


def review(postmortem: Postmortem) -> Postmortem:
    return postmortem_transition(postmortem=postmortem, to="in_review", by=UserFactory(), version=1)


def to_final(postmortem: Postmortem) -> Postmortem:
    return postmortem_transition(postmortem=postmortem, to="final", by=UserFactory(), version=2)


def section(postmortem: Postmortem, key: str, body: str) -> None:
    postmortem.sections.filter(key=key).update(body=body)


@pytest.mark.parametrize("kind", list(Postmortem.Kind))
def test_a_complete_postmortem_passes_every_check(kind):
    postmortem = complete_postmortem(kind)
    report = checks.run(postmortem)
    assert failing(postmortem) == {}
    assert report.passed == len(report.results)
    assert report.blocking == []


# impact_check and impact_scoping


def test_impact_needs_its_start_and_its_end_on_the_timeline():
    postmortem = complete_postmortem()
    postmortem.incident.events.filter(milestone__in=["started", "resolved", "mitigated"]).delete()
    messages = errors(postmortem)["impact_check"]
    assert any("Impact started" in m for m in messages)
    assert any("When did impact end" in m for m in messages)


def test_impact_names_who_was_affected():
    postmortem = complete_postmortem()
    postmortem.impact_fields.filter(key="affected_users").update(value="")
    found = failing(postmortem)["impact_check"]
    assert [f.link for f in found] == ["#impact-affected_users"]
    assert "how many users or transactions" in found[0].message


def test_impact_is_scoped_or_marked_unknown():
    postmortem = complete_postmortem()
    postmortem.incident.impact_scopes.all().delete()
    assert list(errors(postmortem)) == ["impact_scoping"]


# role_check, timeline_check, checkpoint_check


def test_a_commander_or_solo_mode_is_needed():
    postmortem = complete_postmortem()
    postmortem.incident.roles.all().delete()
    assert list(errors(postmortem)) == ["role_check"]
    type(postmortem.incident).objects.filter(pk=postmortem.incident_id).update(solo_mode=True)
    assert errors(postmortem) == {}


def test_the_timeline_needs_triage_and_communication():
    postmortem = complete_postmortem()
    postmortem.incident.events.filter(milestone="triaged").delete()
    postmortem.incident.status_updates.all().delete()
    messages = errors(postmortem)["timeline_check"]
    assert any("no triage" in m for m in messages)
    assert any("no communication" in m for m in messages)


def test_entries_without_a_source_record_are_a_warning_not_an_error():
    postmortem = complete_postmortem()
    TimelineEventFactory(incident=postmortem.incident, text="Restarted pods", source="")
    found = failing(postmortem)["timeline_check"]
    assert [f.level for f in found] == ["warning"]
    assert "1 of 7 timeline entries carry no source record" in found[0].message
    assert errors(postmortem) == {}


def test_a_long_incident_needs_a_checkpoint():
    postmortem = complete_postmortem()
    started = postmortem.incident.events.get(milestone="started")
    started.occurred_at = timezone.now() - dt.timedelta(hours=5)
    started.save()
    assert "longer than 4 hours" in errors(postmortem)["checkpoint_check"][0]
    CheckpointFactory(incident=postmortem.incident)
    assert "checkpoint_check" not in errors(postmortem)


def test_a_change_of_commander_needs_a_checkpoint():
    postmortem = complete_postmortem()
    postmortem.incident.roles.update(ended_at=timezone.now())  # handed over
    RoleAssignmentFactory(incident=postmortem.incident, role=RoleAssignment.Role.COMMANDER)
    assert "commander changed" in errors(postmortem)["checkpoint_check"][0]


# factor_check


def test_three_factors_across_two_layers_are_needed():
    postmortem = complete_postmortem()
    postmortem.factors.exclude(layer="technical_trigger").update(layer="technical_trigger")
    assert "across at least 2 layers (now 3 in 1)" in errors(postmortem)["factor_check"][0]


def test_a_stated_root_cause_is_one_technical_trigger_among_the_factors():
    postmortem = complete_postmortem()
    postmortem.factors.filter(layer="technical_trigger").update(layer="organizational")
    assert any(
        "no contributing factor is a technical trigger" in m
        for m in errors(postmortem)["factor_check"]
    )


def test_candidate_factors_are_a_warning():
    postmortem = complete_postmortem()
    postmortem.factors.update(status="candidate")
    found = failing(postmortem)["factor_check"]
    assert [f.level for f in found] == ["warning"]


# blameless_check


def test_blame_is_flagged_where_it_stands():
    postmortem = complete_postmortem()
    section(postmortem, "went_poorly", "The outage was caused by human error during the deploy.")
    found = errors(postmortem)["blameless_check"]
    assert len(found) == 1
    assert "human error" in found[0]
    assert "What Went Poorly" in found[0] or "went" in found[0].lower()


def test_blaming_a_person_on_the_incident_by_name_is_flagged():
    postmortem = complete_postmortem()
    ben = UserFactory(first_name="Ben", last_name="Okoro", username="bokoro")
    postmortem.incident.responders.add(ben)
    section(postmortem, "what_happened", "Ben forgot to run the migration check.")
    assert "blameless_check" in errors(postmortem)


# action_check


def test_each_action_needs_an_owner_a_due_date_and_a_signal():
    postmortem = complete_postmortem()
    action = postmortem.actions.first()
    postmortem.actions.filter(pk=action.pk).update(
        owner=None, owner_team="", due_date=None, verification_signal=""
    )
    messages = errors(postmortem)["action_check"]
    assert f"{action.ref} needs an owner, a due date and a verification signal." in messages


def test_a_vague_action_is_flagged():
    postmortem = complete_postmortem()
    action = postmortem.actions.first()
    postmortem.actions.filter(pk=action.pk).update(title="Be more careful when deploying")
    assert any(m.startswith(f"{action.ref}:") for m in errors(postmortem)["action_check"])


def test_every_factor_is_answered_by_an_action():
    postmortem = complete_postmortem()
    ContributingFactorFactory(postmortem=postmortem, layer="organizational", status="verified")
    assert any("has no action answering it" in m for m in errors(postmortem)["action_check"])


# secrets_check, timeliness_check, hotfix_check


def test_secrets_and_personal_data_are_found_without_repeating_them():
    postmortem = complete_postmortem()
    section(postmortem, "what_happened", "Mail dana.ruiz@example.com for the key.")
    messages = errors(postmortem)["secrets_check"]
    assert messages
    assert not any("dana.ruiz@example.com" in m for m in messages)


def test_a_draft_past_48_hours_after_resolution_is_a_warning():
    postmortem = complete_postmortem()
    resolved = postmortem.incident.events.get(milestone="resolved")
    resolved.occurred_at = timezone.now() - dt.timedelta(hours=60)
    resolved.save()
    found = failing(postmortem)["timeliness_check"]
    assert [f.level for f in found] == ["warning"]
    assert "12 hours late" in found[0].message


def test_a_hotfix_needs_its_deployment_evidence():
    postmortem = complete_postmortem(Postmortem.Kind.HOTFIX)
    postmortem.incident.events.filter(milestone="deployed").update(source="")
    assert "hotfix_check" in errors(postmortem)


# The gate and the override


def test_final_is_refused_while_an_error_stands_listing_it():
    postmortem = complete_postmortem()
    postmortem.incident.impact_scopes.all().delete()
    postmortem = postmortem_transition(
        postmortem=postmortem, to="in_review", by=UserFactory(), version=1
    )
    with pytest.raises(ValidationError) as refused:
        postmortem_transition(postmortem=postmortem, to="final", by=UserFactory(), version=2)
    assert refused.value.error_list[0].code == "checks_failed"
    assert any("Scope the impact" in m for m in refused.value.messages)


def test_warnings_do_not_block_final():
    postmortem = complete_postmortem()
    postmortem.factors.update(status="candidate")
    postmortem = postmortem_transition(
        postmortem=postmortem, to="in_review", by=UserFactory(), version=1
    )
    postmortem = postmortem_transition(
        postmortem=postmortem, to="final", by=UserFactory(), version=2
    )
    assert postmortem.state == "final"


def test_the_facilitator_may_override_a_check_with_a_reason():
    postmortem = complete_postmortem()
    postmortem.incident.impact_scopes.all().delete()
    with pytest.raises(ValidationError, match="Only the facilitator"):
        check_override(
            postmortem=postmortem, check_name="impact_scoping", reason="n/a", by=UserFactory()
        )
    with pytest.raises(ValidationError, match="Say why"):
        check_override(
            postmortem=postmortem,
            check_name="impact_scoping",
            reason=" ",
            by=postmortem.facilitator,
        )
    check_override(
        postmortem=postmortem,
        check_name="impact_scoping",
        reason="Internal batch job: no user groups to scope.",
        by=postmortem.facilitator,
    )
    assert postmortem.revisions.filter(target="check:impact_scoping").exists()
    postmortem = postmortem_transition(
        postmortem=postmortem, to="in_review", by=UserFactory(), version=1
    )
    postmortem = postmortem_transition(
        postmortem=postmortem, to="final", by=UserFactory(), version=2
    )
    assert postmortem.state == "final"


# The panel and the workflow on the page


@pytest.fixture
def facilitated(client):
    postmortem = complete_postmortem()
    client.force_login(postmortem.facilitator)
    return client, postmortem


def test_the_panel_shows_the_score_and_links_each_finding_to_its_part(facilitated):
    client, postmortem = facilitated
    postmortem.actions.update(verification_signal="")
    page = client.get(reverse("postmortems:detail", args=[postmortem.incident.ref]))
    assertContains(page, "Checking the document…")  # the panel loads after the page
    response = client.get(reverse("postmortems:block", args=[postmortem.incident.ref, "checks"]))
    report = response.context["report"]
    assertContains(
        response, f"<strong>{report.passed} of {len(report.results)}</strong> checks pass."
    )
    action = postmortem.actions.first()
    assertContains(response, f'href="#action-{action.pk}"')


def test_moving_to_final_lists_what_fails(facilitated):
    client, postmortem = facilitated
    ActionItemFactory(postmortem=postmortem, title="Monitor better", verification_signal="")
    Postmortem.objects.filter(pk=postmortem.pk).update(state="in_review", version=2)
    response = client.post(
        reverse("postmortems:workflow", args=[postmortem.incident.ref]),
        {"to": "final", "version": 2},
    )
    assertContains(response, "Not Final yet", status_code=422)
    assertContains(response, "needs a verification signal", status_code=422)


def test_an_override_from_the_panel_keeps_the_reason_when_refused(facilitated):
    client, postmortem = facilitated
    url = reverse("postmortems:check-override", args=[postmortem.incident.ref, "impact_scoping"])
    response = client.post(url, {"reason": "  "})
    assertContains(response, "Say why this check may stand.", status_code=422)
    response = client.post(url, {"reason": "No users: an internal batch job."})
    assertContains(response, "Overridden by")
    assertContains(response, "No users: an internal batch job.")
    withdraw = reverse(
        "postmortems:check-withdraw", args=[postmortem.incident.ref, "impact_scoping"]
    )
    client.post(withdraw)
    assert not postmortem.check_overrides.exists()


def test_an_unknown_check_is_404(facilitated):
    client, postmortem = facilitated
    url = reverse("postmortems:check-override", args=[postmortem.incident.ref, "no_such_check"])
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_an_override_appears_in_the_exported_quality_checklist():
    from postmortems.export.document import collect
    from postmortems.export.render import render

    postmortem = complete_postmortem()
    check_override(
        postmortem=postmortem,
        check_name="impact_scoping",
        reason="Internal batch job: no user groups to scope.",
        by=postmortem.facilitator,
    )
    markdown = render(collect(postmortem))
    checklist = markdown.split("## Post-Mortem Quality Checklist", 1)[1]
    assert "Checks overridden by the facilitator:" in checklist
    assert "- Impact scoped: Internal batch job: no user groups to scope." in checklist
    assert "- [x] No blame is assigned to individuals" in checklist
