import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError
from django.utils import timezone

from actions.models import ActionItem
from incidents.models import Incident, RoleAssignment, TimelineEvent
from incidents.refs import validate_change_id
from postmortems import checks, demo
from postmortems.demo import load_demo
from postmortems.kinds import Kind
from postmortems.management.commands import load_demo as command
from postmortems.models import ContributingFactor, Postmortem, Section
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def run() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    models = [User] + [
        model
        for label in ("incidents", "postmortems", "actions")
        for model in apps.get_app_config(label).get_models()
    ]
    return {model._meta.label: model._default_manager.count() for model in models}


def test_the_demo_user_signs_in_with_the_printed_login(client):
    out = run()
    assert f"username: {settings.DEMO_USERNAME}" in out
    assert f"password: {settings.DEMO_PASSWORD}" in out
    assert client.login(username=settings.DEMO_USERNAME, password=settings.DEMO_PASSWORD)
    dana = User.objects.get(username=settings.DEMO_USERNAME)
    assert dana.get_full_name() == "Dana Demo"
    assert dana.is_staff
    assert not dana.is_superuser


def test_colleagues_have_names_and_emails_but_cannot_sign_in():
    run()
    colleagues = User.objects.exclude(username=settings.DEMO_USERNAME)
    assert colleagues.count() >= 6
    for user in colleagues:
        assert user.get_full_name()
        assert user.email.endswith("@example.com")
        assert not user.has_usable_password()


def test_the_hotfix_incident_carries_its_change_id_and_deployment_evidence():
    run()
    incident = Incident.objects.get(is_hotfix=True)
    validate_change_id(incident.change_id)
    assert incident.change_id.endswith("-login-token-refresh")
    assert incident.severity == Incident.Severity.SEV2
    postmortem = incident.postmortem
    assert (postmortem.kind, postmortem.state) == (Kind.HOTFIX, Postmortem.State.IN_REVIEW)
    log_root = Path(postmortem.log_root)
    assert log_root.is_relative_to(settings.EXPORT_LOG_ROOTS[0])
    assert log_root.name == incident.change_id
    deployed = incident.events.get(milestone=TimelineEvent.Milestone.DEPLOYED)
    assert deployed.source == (f"{postmortem.log_root}/deployments/Deploy-{incident.change_id}.md")
    # The seed's timeline steps, in order.
    steps = [
        TimelineEvent.Milestone.DETECTED,
        TimelineEvent.Milestone.TRIAGED,
        "Fix development started",
        "Code review completed",
        TimelineEvent.Milestone.DEPLOYED,
        TimelineEvent.Milestone.VERIFIED,
    ]
    events = list(incident.events.all())

    def position(step: str) -> int:
        return next(
            n for n, e in enumerate(events) if e.milestone == step or e.text.startswith(step)
        )

    positions = [position(step) for step in steps]
    assert positions == sorted(positions)
    assert postmortem.sections.get(key="why_hotfix").body.startswith("**Change intent**")


def test_the_sev1_outage_has_25_timeline_entries_of_every_kind_and_milestone():
    run()
    incident = Incident.objects.get(severity=Incident.Severity.SEV1)
    assert incident.state == Incident.State.RESOLVED
    events = list(incident.events.all())
    assert len(events) == 25
    assert {e.kind for e in events} == set(TimelineEvent.Kind)
    assert {e.milestone for e in events if e.milestone} == set(TimelineEvent.Milestone)
    assert all(e.actor for e in events)
    assert sum(bool(e.source) for e in events) >= 12


def test_the_sev1_outage_records_roles_a_handover_cadence_and_scope():
    run()
    incident = Incident.objects.get(severity=Incident.Severity.SEV1)
    assert set(incident.roles.values_list("role", flat=True)) == set(RoleAssignment.Role)
    commanders = list(incident.roles.filter(role=RoleAssignment.Role.COMMANDER))
    assert len(commanders) == 2
    assert commanders[0].ended_at == commanders[1].started_at
    checkpoint = incident.checkpoints.get()
    assert checkpoint.recorded_at == commanders[1].started_at
    assert incident.events.filter(
        kind=TimelineEvent.Kind.ROLE_CHANGE, occurred_at=commanders[1].started_at
    ).exists()
    updates = list(incident.status_updates.order_by("posted_at"))
    assert len(updates) >= 3
    assert all(u.next_update_due - u.posted_at <= incident.status_cadence for u in updates)
    scope = list(incident.impact_scopes.all())
    assert any(row.fault_domain == "unknown" for row in scope)
    assert all(row.user_group for row in scope)
    done = incident.checklist.filter(done_at__isnull=False)
    assert done.exists()
    assert not done.filter(done_by__isnull=True).exists()
    assert incident.checklist.filter(done_at__isnull=True).exists()


def test_the_full_postmortem_has_whys_layered_factors_sign_offs_and_history():
    run()
    postmortem = Postmortem.objects.get(kind=Kind.FULL)
    assert postmortem.state == Postmortem.State.DRAFT
    for key in ("executive_summary", "what_happened", "trigger", "technical_lessons"):
        assert postmortem.sections.get(key=key).body
    assert not postmortem.impact_fields.filter(value="").exists()
    assert postmortem.whys.count() == 5
    factors = list(postmortem.factors.all())
    assert len(factors) >= 3
    assert len({f.layer for f in factors}) >= 2
    assert {f.status for f in factors} == {"candidate", "verified"}
    signed = [s.signed_at is not None for s in postmortem.signoffs.all()]
    assert any(signed)
    assert not all(signed)
    assert postmortem.revisions.count() >= 3
    for revision in postmortem.revisions.all():
        section = postmortem.sections.get(key=revision.target.removeprefix("section:"))
        assert section.version >= revision.version
    actions = list(postmortem.actions.all())
    assert [a.ref for a in actions] == ["AI-001", "AI-002", "AI-003", "AI-004", "AI-005"]
    assert {a.category for a in actions} == set(ActionItem.Category)
    assert all(a.verification_signal.startswith("Done when") for a in actions)


def test_all_four_templates_appear_in_at_least_three_workflow_states():
    run()
    postmortems = list(Postmortem.objects.all())
    assert {p.kind for p in postmortems} == set(Kind)
    assert len({p.state for p in postmortems}) >= 3
    for p in postmortems:
        finished = p.state in (Postmortem.State.FINAL, Postmortem.State.CLOSED)
        assert (p.finalized_at is not None) == finished
    review = Postmortem.objects.get(kind=Kind.REVIEW)
    assert review.impact_fields.get(key="slo_budget_consumed").value
    pulse = Postmortem.objects.get(kind=Kind.PULSE)
    assert pulse.incident.state == Incident.State.CLOSED


def test_action_items_spread_over_owners_teams_and_due_dates():
    run()
    today = timezone.localdate()
    actions = ActionItem.objects.all()
    assert actions.count() >= 12
    overdue = actions.overdue(today)
    assert overdue.exclude(owner=None).values("owner").distinct().count() >= 2
    assert overdue.filter(owner=None).exclude(owner_team="").exists()
    assert actions.due_within(today, 7).exists()
    assert actions.filter(status=ActionItem.Status.DONE).exists()
    assert actions.filter(status=ActionItem.Status.WONT_DO).exists()
    teams = set(actions.filter(owner=None).values_list("owner_team", flat=True))
    assert len(teams) >= 2
    # action_check: every action has a due date, a verification condition and a category.
    for action in actions:
        assert action.due_date is not None, action
        assert action.verification_signal, action
        assert action.category, action
        assert action.owner_id or action.owner_team
    for postmortem in Postmortem.objects.all():
        numbers = list(postmortem.actions.values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))


def test_the_restricted_incident_is_visible_to_its_responders_only():
    run()
    dana = User.objects.get(username=settings.DEMO_USERNAME)
    restricted = Incident.objects.get(restricted=True)
    assert restricted.impact_category == Incident.ImpactCategory.SECURITY
    assert set(restricted.responders.values_list("username", flat=True)) == {
        settings.DEMO_USERNAME,
        "samir.haddad",
    }
    assert Incident.objects.visible_to(dana).filter(pk=restricted.pk).exists()
    colleague = User.objects.get(username="priya.raman")
    assert not Incident.objects.visible_to(colleague).filter(pk=restricted.pk).exists()
    assert Incident.objects.visible_to(colleague).count() == Incident.objects.count() - 1


def test_an_active_incident_has_no_postmortem_yet():
    run()
    active = Incident.objects.get(state=Incident.State.ACTIVE)
    assert not Postmortem.objects.filter(incident=active).exists()
    assert active.status_updates.latest().next_update_due > timezone.now()


def test_the_demo_content_avoids_the_seed_refusals():
    run()
    texts = [
        *TimelineEvent.objects.values_list("text", flat=True),
        *Section.objects.values_list("body", flat=True),
        *ContributingFactor.objects.values_list("description", flat=True),
        *ActionItem.objects.values_list("title", flat=True),
    ]
    for phrase in ("human error", "be more careful", "monitor better", "improve tests"):
        assert not [t for t in texts if phrase in t.lower()], phrase


def test_finished_reviews_pass_their_checks_and_the_draft_shows_what_it_lacks():
    run()
    blocking = {
        pm.state: {f.check for f in checks.run(pm).blocking} for pm in Postmortem.objects.all()
    }
    # Final and Closed got there through the gate (the closed pulse with two
    # checks overridden); the draft has work left for the review meeting.
    assert blocking["final"] == blocking["closed"] == set()
    assert blocking["draft"] == {"blameless_check", "action_check"}


def test_demo_rows_pass_model_validation():
    run()
    for model in (Incident, TimelineEvent, ActionItem):
        for row in model.objects.all():
            row.full_clean()


def test_times_follow_the_day_it_is_loaded():
    now = dt.datetime(2031, 3, 10, 12, 0, tzinfo=dt.UTC)
    with timezone.override(dt.UTC):
        load_demo(now=now)
    assert Incident.objects.get(is_hotfix=True).change_id == "CHG-20310306-login-token-refresh"
    assert ActionItem.objects.overdue(dt.date(2031, 3, 10)).count() >= 3
    active = Incident.objects.get(state=Incident.State.ACTIVE)
    assert active.milestone_times()["started"] == now - dt.timedelta(minutes=52)


def test_a_second_run_changes_nothing_and_says_so():
    run()
    before = row_counts()
    out = run()
    assert row_counts() == before
    assert "nothing was changed" in out
    assert f"password: {settings.DEMO_PASSWORD}" in out


def test_a_second_run_does_not_print_a_password_that_no_longer_works():
    run()
    dana = User.objects.get(username=settings.DEMO_USERNAME)
    dana.set_password("changed after the demo loaded")
    dana.save(update_fields=["password"])
    out = run()
    assert settings.DEMO_PASSWORD not in out
    assert "no longer the demo password" in out


def test_a_loader_that_lost_the_race_reports_the_demo_the_winner_loaded(monkeypatch):
    run()
    before = row_counts()
    attempts = []

    def racing(**kwargs):
        attempts.append(kwargs)
        if len(attempts) == 1:
            raise IntegrityError("UNIQUE constraint failed: auth_user.username")
        return load_demo(**kwargs)

    monkeypatch.setattr(command, "load_demo", racing)
    assert "nothing was changed" in run()
    assert row_counts() == before


def test_existing_accounts_with_demo_names_are_not_taken_over():
    UserFactory(username=settings.DEMO_USERNAME)
    with pytest.raises(CommandError, match=settings.DEMO_USERNAME):
        run()
    assert Incident.objects.count() == 0
    user = User.objects.get(username=settings.DEMO_USERNAME)
    assert user.check_password("correct horse battery")


def test_a_failure_part_way_leaves_nothing_behind(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "_active_incident", broken)
    with pytest.raises(RuntimeError):
        run()
    assert set(row_counts().values()) == {0}
