"""The response panels of the incident page: state, status updates, roles,
checkpoints, impact scope and the pulse checklist."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains

from incidents.models import (
    ChecklistItem,
    Checkpoint,
    ImpactScope,
    Incident,
    RoleAssignment,
    StatusUpdate,
    TimelineEvent,
)
from incidents.pulse import default_checklist
from tests.factories import (
    CheckpointFactory,
    ImpactScopeFactory,
    IncidentFactory,
    PostmortemFactory,
    RoleAssignmentFactory,
    StatusUpdateFactory,
    TimelineEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
T0 = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)
PANELS = {
    "state": "state-panel",
    "status": "status-panel",
    "roles": "roles-panel",
    "checkpoints": "checkpoints-panel",
    "impact": "impact-panel",
    "checklist": "checklist-panel",
}


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def incident():
    incident = IncidentFactory(severity=Incident.Severity.SEV2)
    ChecklistItem.objects.bulk_create(default_checklist(incident))
    return incident


def url(name: str, incident: Incident, *args) -> str:
    return reverse(f"incidents:{name}", args=[incident.ref, *args])


def post(client, name: str, incident: Incident, data: dict, *args):
    return client.post(url(name, incident, *args), data, headers=HTMX)


def triggered(response) -> set[str]:
    """Client events, fired after the swap so listeners see the saved panel."""
    return set(json.loads(response.headers.get("HX-Trigger-After-Swap", "{}")))


# Every panel alone


@pytest.mark.parametrize(("name", "panel_id"), PANELS.items())
def test_each_panel_is_a_fragment_with_a_stable_id(signed_in, incident, name, panel_id):
    response = signed_in.get(url(name, incident), headers=HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith(f'<section class="card response-panel" id="{panel_id}"')
    assert "<html" not in content


def test_the_page_has_every_panel(signed_in, incident):
    response = signed_in.get(reverse("incidents:detail", args=[incident.ref]))
    for panel_id in PANELS.values():
        assertContains(response, f'id="{panel_id}"', count=1)


# Roles


def test_assigning_a_role_shows_the_holder_and_records_a_role_change(signed_in, user, incident):
    ops = UserFactory(first_name="Olu", last_name="Ops")
    response = post(
        signed_in, "role_assign", incident, {"role-role": "operations", "role-user": ops.pk}
    )
    assertContains(response, "<dt>Operations lead</dt><dd>Olu Ops</dd>", html=True)
    assert triggered(response) == {"incident-changed"}
    event = incident.events.get(kind=TimelineEvent.Kind.ROLE_CHANGE)
    assert event.text == "Operations lead: Olu Ops"
    assert event.author == user


def test_a_role_form_without_a_person_says_so_and_keeps_the_role(signed_in, incident):
    response = post(signed_in, "role_assign", incident, {"role-role": "scribe", "role-user": ""})
    assertContains(response, "This field is required.", status_code=422)
    assertContains(
        response, '<option value="scribe" selected>Scribe</option>', html=True, status_code=422
    )
    assert not incident.roles.exists()


def test_solo_mode_gives_one_person_all_four_roles(signed_in, incident):
    solo = UserFactory(first_name="Sol", last_name="Owens")
    response = post(
        signed_in, "solo_mode", incident, {"role-role": "commander", "role-user": solo.pk}
    )
    for role in RoleAssignment.Role:
        assertContains(response, f"<dt>{role.label}</dt><dd>Sol Owens</dd>", html=True)
    assertContains(response, "Solo mode: Sol Owens holds every role.")
    assert "incident-changed" in triggered(response)
    incident.refresh_from_db()
    assert incident.solo_mode
    assert incident.events.filter(kind=TimelineEvent.Kind.ROLE_CHANGE).count() == 4


def test_a_commander_change_prompts_for_a_checkpoint_until_one_is_recorded(signed_in, incident):
    first, second = UserFactory(first_name="Ann"), UserFactory(first_name="Ben")
    response = post(
        signed_in, "role_assign", incident, {"role-role": "commander", "role-user": first.pk}
    )
    assertNotContains(response, "Record a checkpoint for the handover")  # nobody handed over
    response = post(
        signed_in, "role_assign", incident, {"role-role": "commander", "role-user": second.pk}
    )
    assertContains(response, "Record a checkpoint for the handover")
    prompt = re.search(
        r'hx-get="([^"]+)" hx-target="#checkpoints-panel"', response.content.decode()
    )
    assert prompt[1] == url("checkpoints", incident) + "?record=1"
    # The prompt opens the checkpoint form with the cursor in it.
    form = signed_in.get(prompt[1], headers=HTMX)
    assertContains(form, '<details class="disclosure" open>')
    assertContains(form, 'name="checkpoint-state" cols="40" rows="2" autofocus')
    recorded = post(
        signed_in,
        "checkpoint_record",
        incident,
        {"checkpoint-state": "Handover done", "checkpoint-customer_impact": "EU checkout"},
    )
    assert triggered(recorded) == {"incident-changed", "checkpoint-recorded"}
    assertNotContains(signed_in.get(url("roles", incident)), "Record a checkpoint for the handover")


def test_role_history_shows_who_held_each_role_when(signed_in, incident):
    ann = UserFactory(first_name="Ann", last_name="Archer")
    RoleAssignmentFactory(
        incident=incident, user=ann, started_at=T0, ended_at=T0 + dt.timedelta(minutes=40)
    )
    RoleAssignmentFactory(
        incident=incident, user=UserFactory(first_name="Ben", last_name="Baker"), started_at=T0
    )
    response = signed_in.get(url("roles", incident), headers=HTMX)
    assertContains(response, "<dt>Incident commander</dt><dd>Ben Baker</dd>", html=True)
    assertContains(response, "<summary>Role history</summary>", html=True)
    assertContains(response, '<span class="role-history__who">Ann Archer</span>', html=True)
    assertContains(response, '<time datetime="2026-11-24T12:00:00+00:00">2026-11-24 12:00</time>')
    assertContains(response, '<time datetime="2026-11-24T12:40:00+00:00">12:40</time>')


# Status updates


def typed_value(response, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', response.content.decode())[1]


def test_the_next_update_defaults_to_now_plus_the_cadence(signed_in):
    incident = IncidentFactory(severity=Incident.Severity.SEV1)
    before = timezone.now()
    response = signed_in.get(url("status", incident), headers=HTMX)
    value = dt.datetime.strptime(typed_value(response, "status-next_update_due"), "%Y-%m-%d %H:%M")
    default = value.replace(tzinfo=dt.UTC)  # tests run in UTC
    assert before + dt.timedelta(minutes=29) < default <= before + dt.timedelta(minutes=30)
    assertContains(response, "SEV-1 cadence: every 30m")


def test_posting_an_update_shows_it_as_latest_and_adds_it_to_the_timeline(signed_in, incident):
    StatusUpdateFactory(incident=incident, posted_at=T0, known="Old news")
    due = timezone.localtime() + dt.timedelta(minutes=45)
    response = post(
        signed_in,
        "status_post",
        incident,
        {
            "status-known": "Rollback finished",
            "status-impact": "EU checkout slow",
            "status-next_update_due": f"{due:%Y-%m-%d %H:%M}",
        },
    )
    assertContains(response, "Rollback finished")
    assertNotContains(response, "Old news")  # collapsed, loaded on demand
    assertContains(response, "<summary>Earlier updates</summary>", html=True)
    assert triggered(response) == {"incident-changed"}
    assert incident.events.filter(kind=TimelineEvent.Kind.STATUS).exists()
    earlier = signed_in.get(url("status_earlier", incident), headers=HTMX)
    assertContains(earlier, "Old news")
    assertNotContains(earlier, "Rollback finished")


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "This field is required."),
        ("2020-01-01 10:00", "The next update must be due in the future."),
        ("half past", "is not a time I can read"),
    ],
)
def test_an_update_without_a_future_next_time_is_refused_keeping_the_text(
    signed_in, incident, typed, error
):
    response = post(
        signed_in,
        "status_post",
        incident,
        {
            "status-known": "Typed with care",
            "status-impact": "Some users",
            "status-next_update_due": typed,
        },
    )
    assertContains(response, error, status_code=422)
    assertContains(response, "Typed with care</textarea>", status_code=422)
    assertContains(response, '<details class="disclosure" open>', status_code=422)
    assert not StatusUpdate.objects.exists()
    assert not triggered(response)


def test_a_sev3_incident_takes_an_agreed_cadence(signed_in):
    incident = IncidentFactory(severity=Incident.Severity.SEV3)
    assertContains(signed_in.get(url("status", incident)), "Cadence: every 4h 00m")
    response = post(signed_in, "status_cadence", incident, {"cadence-status_cadence_minutes": "90"})
    assertContains(response, "Cadence: every 1h 30m")
    assert "incident-changed" in triggered(response)
    incident.refresh_from_db()
    assert incident.status_cadence_minutes == 90
    refused = post(signed_in, "status_cadence", incident, {"cadence-status_cadence_minutes": "2"})
    assertContains(refused, "Ensure this value is greater than or equal to 5.", status_code=422)


def test_a_sev1_incident_keeps_the_seed_cadence(signed_in):
    incident = IncidentFactory(severity=Incident.Severity.SEV1)
    assertNotContains(signed_in.get(url("status", incident)), "Minutes between updates")
    response = post(signed_in, "status_cadence", incident, {"cadence-status_cadence_minutes": "90"})
    assertContains(response, "only SEV-3 and SEV-4 take an agreed cadence", status_code=422)
    incident.refresh_from_db()
    assert incident.status_cadence_minutes is None


# Checkpoints


def test_checkpoints_are_recorded_and_listed_newest_first(signed_in, incident):
    CheckpointFactory(incident=incident, recorded_at=T0, state="First shift")
    response = post(
        signed_in,
        "checkpoint_record",
        incident,
        {
            "checkpoint-state": "Second shift",
            "checkpoint-hypothesis": "Pool exhaustion",
            "checkpoint-customer_impact": "EU only",
            "checkpoint-in_flight_actions": "Raising the pool size",
            "checkpoint-decision_point": "Fail over if errors stay above 5%",
            "checkpoint-comms_cadence": "Every 30 minutes",
            "checkpoint-next_decision_at": "2099-01-01 10:00",
        },
    )
    content = response.content.decode()
    assert content.index("Second shift") < content.index("First shift")
    assertContains(response, "Fail over if errors stay above 5%")
    assertContains(response, "2099-01-01 10:00")
    assert incident.events.get(kind="note").text == "Checkpoint: Second shift"


def test_the_checkpoint_form_suggests_the_status_cadence(signed_in, incident):
    response = signed_in.get(url("checkpoints", incident))
    assertContains(response, 'value="Status updates every 1h 00m"')


def test_an_incomplete_checkpoint_keeps_what_was_typed(signed_in, incident):
    response = post(
        signed_in,
        "checkpoint_record",
        incident,
        {"checkpoint-hypothesis": "A hunch worth keeping", "checkpoint-next_decision_at": "soon"},
    )
    # the state and the customer impact
    assertContains(response, "This field is required.", count=2, status_code=422)
    assertContains(response, "A hunch worth keeping</textarea>", status_code=422)
    assertContains(response, 'value="soon"', status_code=422)
    assert not Checkpoint.objects.exists()


# Impact scope


def test_impact_rows_are_added_edited_and_deleted_in_place(signed_in, incident):
    response = signed_in.get(url("impact", incident))
    assertContains(response, "“unknown” is a valid answer")
    added = post(
        signed_in,
        "impact_add",
        incident,
        {"scope-user_group": "EU tenants", "scope-fault_domain": "unknown"},
    )
    row = incident.impact_scopes.get()
    assertContains(added, '<th scope="row" class="scope-table__group">EU tenants</th>', html=True)
    assertContains(added, '<td data-label="Fault domain">unknown</td>', html=True)
    assert "incident-changed" in triggered(added)
    assertContains(added, 'name="scope-user_group" maxlength="200" autofocus')  # the next row

    editing = signed_in.get(url("impact", incident) + f"?edit={row.pk}", headers=HTMX)
    assertContains(editing, f'name="scope-{row.pk}-user_group" value="EU tenants"')
    saved = post(
        signed_in,
        "impact_update",
        incident,
        {f"scope-{row.pk}-user_group": "EU and UK tenants", f"scope-{row.pk}-dependency": "db"},
        row.pk,
    )
    assertContains(saved, "EU and UK tenants")
    row.refresh_from_db()
    assert (row.user_group, row.dependency, row.fault_domain) == ("EU and UK tenants", "db", "")

    deleted = post(signed_in, "impact_delete", incident, {}, row.pk)
    assertContains(deleted, "No impact scoped yet.")
    assert not ImpactScope.objects.exists()


def test_an_impact_row_without_a_user_group_keeps_the_rest(signed_in, incident):
    response = post(signed_in, "impact_add", incident, {"scope-dependency": "payments-db"})
    assertContains(response, "This field is required.", status_code=422)
    assertContains(response, 'value="payments-db"', status_code=422)
    row = ImpactScopeFactory(incident=incident)
    response = post(
        signed_in,
        "impact_update",
        incident,
        {f"scope-{row.pk}-user_group": "", f"scope-{row.pk}-notes": "kept note"},
        row.pk,
    )
    assertContains(response, "This field is required.", status_code=422)
    assertContains(response, 'value="kept note"', status_code=422)
    row.refresh_from_db()
    assert row.user_group == "EU checkout customers"


def test_another_incidents_rows_are_not_found_here(signed_in, incident):
    theirs = ImpactScopeFactory()
    item = IncidentFactory().checklist.create(stage="detection", text="Theirs")
    assert signed_in.get(url("impact", incident) + f"?edit={theirs.pk}").status_code == 404
    assert signed_in.get(url("impact", incident) + "?edit=abc").status_code == 404
    assert post(signed_in, "impact_update", incident, {}, theirs.pk).status_code == 404
    assert post(signed_in, "impact_delete", incident, {}, theirs.pk).status_code == 404
    assert post(signed_in, "checklist_tick", incident, {"done": "on"}, item.pk).status_code == 404
    assert ImpactScope.objects.filter(pk=theirs.pk).exists()
    item.refresh_from_db()
    assert not item.done


# Pulse checklist


def test_the_checklist_shows_four_stages_with_done_counts(signed_in, incident):
    response = signed_in.get(url("checklist", incident), headers=HTMX)
    for stage in ChecklistItem.Stage:
        assertContains(response, escape(stage.label))
    assertContains(response, "0/4 done")
    assertContains(response, "0/5 done", count=3)


def test_ticking_records_who_and_when_and_the_meter_follows(signed_in, user, incident):
    item = incident.checklist.get(stage="detection", position=0)
    response = post(signed_in, "checklist_tick", incident, {"done": "on"}, item.pk)
    item.refresh_from_db()
    assert item.done_by == user
    assert item.done_at is not None
    name = user.get_full_name()
    assertContains(response, f'{name} · <time datetime="{item.done_at:%Y-%m-%dT%H:%M:%S}')
    assertContains(response, "1/4 done")
    assertContains(response, f'id="check-{item.pk}" name="done" checked')
    assert triggered(response) == {"incident-changed"}  # the header's meter re-fetches

    response = post(signed_in, "checklist_tick", incident, {}, item.pk)
    item.refresh_from_db()
    assert item.done_at is None
    assert item.done_by is None
    assertContains(response, "0/4 done")


def test_the_header_meter_lights_a_step_when_a_stage_is_done(signed_in, incident):
    for item in incident.checklist.filter(stage="contain"):
        post(signed_in, "checklist_tick", incident, {"done": "on"}, item.pk)
    header = signed_in.get(url("header", incident), headers=HTMX)
    assertContains(header, "Pulse meter: 3 of 5 steps")


# State and closing


def test_active_incident_shows_how_the_state_moves_and_cannot_close(signed_in, incident):
    response = signed_in.get(url("state", incident))
    assertContains(response, 'state-steps__step--current" aria-current="step">Active</li>')
    assertNotContains(response, "Close incident")
    assertNotContains(response, "Postmortem due")
    refused = post(signed_in, "close", incident, {})
    assertContains(refused, "Only a resolved incident can be closed", status_code=422)
    assert not triggered(refused)
    incident.refresh_from_db()
    assert incident.state == Incident.State.ACTIVE


def test_a_resolved_incident_shows_the_postmortem_due_and_closes(signed_in, incident):
    TimelineEventFactory(incident=incident, occurred_at=T0, milestone="resolved")
    incident.state = Incident.State.RESOLVED
    incident.save()
    response = signed_in.get(url("state", incident))
    assertContains(response, "Postmortem due <time")
    assertContains(response, "2026-11-26 12:00")
    assertContains(response, "Close incident")
    closed = post(signed_in, "close", incident, {})
    assert triggered(closed) == {"incident-changed"}
    assertContains(closed, "2026-11-26 12:00")
    assertNotContains(closed, "Close incident</button>")
    incident.refresh_from_db()
    assert incident.state == Incident.State.CLOSED
    assert incident.events.filter(text="Incident closed.").exists()


def test_a_post_without_htmx_goes_back_to_the_page(signed_in, incident):
    response = signed_in.post(
        url("role_assign", incident), {"role-role": "scribe", "role-user": UserFactory().pk}
    )
    assert response.status_code == 302
    assert response["Location"] == incident.get_absolute_url()


# Access

ROUTES = [
    ("state", ()),
    ("close", ()),
    ("roles", ()),
    ("role_assign", ()),
    ("solo_mode", ()),
    ("status", ()),
    ("status_earlier", ()),
    ("status_post", ()),
    ("status_cadence", ()),
    ("checkpoints", ()),
    ("checkpoint_record", ()),
    ("impact", ()),
    ("impact_add", ()),
    ("impact_update", ("scope",)),
    ("impact_delete", ("scope",)),
    ("checklist", ()),
    ("checklist_tick", ("item",)),
]


@pytest.mark.parametrize(("name", "needs"), ROUTES, ids=[name for name, _ in ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_restricted_incident_is_404_for_an_outsider(client, outsider, name, needs, method):
    incident = IncidentFactory(restricted=True, severity="SEV-3", state="resolved")
    rows = {
        "scope": ImpactScopeFactory(incident=incident).pk,
        "item": incident.checklist.create(stage="detection", text="Confirm").pk,
    }
    client.force_login(outsider)
    target = url(name, incident, *(rows[need] for need in needs))
    data = {"done": "on", "role-role": "commander", "role-user": outsider.pk}
    response = getattr(client, method)(target, data, headers=HTMX)
    # A method the view never takes is 405 before any lookup, for any ref.
    assert response.status_code in {404, 405}
    if response.status_code == 405:
        missing = target.replace(incident.ref, "INC-1999-01-01-1")
        assert getattr(client, method)(missing).status_code == 405
    incident.refresh_from_db()
    assert incident.state == Incident.State.RESOLVED
    assert not incident.roles.exists()
    assert ImpactScope.objects.filter(pk=rows["scope"]).exists()
    assert not incident.checklist.filter(done_at__isnull=False).exists()


def test_a_named_responder_reaches_every_panel(client, user):
    incident = IncidentFactory(restricted=True, responders=[user])
    client.force_login(user)
    for name in PANELS:
        assert client.get(url(name, incident)).status_code == 200


# Query counts


@pytest.fixture
def busy_incident():
    """An incident with ``rows`` of everything the panels list."""

    def build(rows: int) -> Incident:
        incident = IncidentFactory(responders=UserFactory.create_batch(rows))
        ChecklistItem.objects.bulk_create(default_checklist(incident))
        PostmortemFactory(incident=incident)
        TimelineEventFactory.create_batch(rows, incident=incident)
        TimelineEventFactory(incident=incident, milestone="resolved")
        StatusUpdateFactory.create_batch(rows, incident=incident)
        CheckpointFactory.create_batch(rows, incident=incident, author=UserFactory())
        ImpactScopeFactory.create_batch(rows, incident=incident)
        for _ in range(rows):
            RoleAssignmentFactory(
                incident=incident, started_at=T0, ended_at=T0, assigned_by=UserFactory()
            )
        RoleAssignmentFactory(incident=incident, started_at=T0)
        for item in incident.checklist.all()[:rows]:
            item.done_at, item.done_by = timezone.now(), UserFactory()
            item.save()
        Incident.objects.filter(pk=incident.pk).update(state=Incident.State.RESOLVED)
        return incident

    return build


@pytest.mark.parametrize("rows", [2, 10])
def test_the_page_query_count_does_not_grow_with_panel_rows(
    signed_in, busy_incident, django_assert_num_queries, rows
):
    incident = busy_incident(rows)
    # session, user, incident, milestones (also the resolved time), the newest
    # entries, postmortem, header (status, checklist), checkpoints, status,
    # roles, impact, checklist, responders, people to assign
    with django_assert_num_queries(15):
        response = signed_in.get(reverse("incidents:detail", args=[incident.ref]))
    assert len(response.context["scopes"]) == rows


# session, user, incident, then what each panel reads
FRAGMENT_QUERIES = [
    ("state", "", 4),  # the resolved milestone's time
    ("status", "", 4),  # the latest two updates
    ("status_earlier", "", 4),
    ("roles", "", 6),  # assignments, the last checkpoint's time, people to assign
    ("checkpoints", "", 4),
    ("checkpoints", "?record=1", 4),
    ("impact", "", 4),
    ("impact", "?edit={scope}", 5),  # and the row being edited
    ("checklist", "", 4),
]


@pytest.mark.parametrize("rows", [2, 10])
@pytest.mark.parametrize(("name", "query", "count"), FRAGMENT_QUERIES)
def test_fragment_query_counts_do_not_grow_with_rows(
    signed_in, busy_incident, django_assert_num_queries, rows, name, query, count
):
    incident = busy_incident(rows)
    query = query.format(scope=incident.impact_scopes.first().pk)
    with django_assert_num_queries(count):
        response = signed_in.get(url(name, incident) + query, headers=HTMX)
    assert response.status_code == 200
