import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents.models import Incident, RoleAssignment, TimelineEvent, TimelineEventRevision
from incidents.services import (
    MilestoneTaken,
    StaleVersion,
    checklist_tick,
    role_assign,
    solo_mode_declare,
    status_update_post,
    timeline_add,
    timeline_delete,
    timeline_edit,
)
from tests.factories import ChecklistItemFactory, IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def scribe():
    return UserFactory(username="scribe", first_name="Sam", last_name="Scribe")


@pytest.fixture
def incident():
    return IncidentFactory(severity=Incident.Severity.SEV1)


def add(incident, scribe, minutes, text="Entry", **fields):
    return timeline_add(
        incident=incident,
        author=scribe,
        occurred_at=T0 + dt.timedelta(minutes=minutes),
        text=text,
        **fields,
    )


def test_entries_read_in_time_order_whatever_order_they_were_typed(incident, scribe):
    for minutes in (14, 2, 30, 7):
        add(incident, scribe, minutes, text=f"at {minutes}")
    assert list(incident.events.values_list("text", flat=True)) == [
        "at 2",
        "at 7",
        "at 14",
        "at 30",
    ]


def test_a_taken_milestone_is_refused_with_where_it_is(incident, scribe):
    add(incident, scribe, 5, text="Error rate alert", milestone="detected")
    with pytest.raises(MilestoneTaken) as error:
        add(incident, scribe, 9, text="Pager fired", milestone="detected")
    assert "Error rate alert" in str(error.value)
    assert incident.events.count() == 1


def test_a_milestone_can_be_moved_and_the_old_holder_keeps_its_history(incident, scribe):
    first = add(incident, scribe, 5, text="Error rate alert", milestone="detected")
    moved = add(
        incident,
        scribe,
        3,
        text="Synthetic check failed",
        milestone="detected",
        move_milestone=True,
    )
    first.refresh_from_db()
    assert first.milestone == ""
    assert first.version == 2
    assert moved.milestone == "detected"
    assert TimelineEventRevision.objects.get(event=first).milestone == "detected"


def test_the_state_follows_the_milestones(incident, scribe):
    add(incident, scribe, 20, milestone="mitigated")
    incident.refresh_from_db()
    assert incident.state == Incident.State.MITIGATED
    resolved = add(incident, scribe, 50, milestone="resolved")
    incident.refresh_from_db()
    assert incident.state == Incident.State.RESOLVED
    timeline_delete(event=resolved, by=scribe, version=resolved.version)
    incident.refresh_from_db()
    assert incident.state == Incident.State.MITIGATED


def test_an_edit_keeps_the_previous_text_and_bumps_the_version(incident, scribe):
    event = add(incident, scribe, 5, text="DB failover started")
    edited = timeline_edit(event=event, by=scribe, version=1, text="DB failover started (manual)")
    assert edited.version == 2
    revision = TimelineEventRevision.objects.get(event=event)
    assert (revision.text, revision.version, revision.change) == ("DB failover started", 1, "edit")


def test_an_edit_against_an_old_version_is_refused_and_changes_nothing(incident, scribe):
    event = add(incident, scribe, 5, text="Original")
    timeline_edit(event=event, by=scribe, version=1, text="Theirs")
    with pytest.raises(StaleVersion) as error:
        timeline_edit(event=event, by=scribe, version=1, text="Mine")
    assert error.value.current.text == "Theirs"
    event.refresh_from_db()
    assert event.text == "Theirs"


def test_an_edit_that_changes_nothing_is_not_a_new_version(incident, scribe):
    event = add(incident, scribe, 5, text="Same")
    assert timeline_edit(event=event, by=scribe, version=1, text="Same").version == 1
    assert not TimelineEventRevision.objects.exists()


def test_a_deleted_entry_leaves_its_history(incident, scribe):
    event = add(incident, scribe, 5, text="Wrong incident, sorry")
    timeline_delete(event=event, by=scribe, version=1)
    assert not incident.events.exists()
    revision = TimelineEventRevision.objects.get()
    assert (revision.text, revision.change, revision.incident_id) == (
        "Wrong incident, sorry",
        "delete",
        incident.pk,
    )


def test_a_role_change_ends_the_previous_holder_and_lands_in_the_timeline(incident, scribe):
    alex, blair = (
        UserFactory(first_name="Alex", last_name="Ng"),
        UserFactory(first_name="Blair", last_name="Ode"),
    )
    role_assign(incident=incident, role=RoleAssignment.Role.COMMANDER, user=alex, by=scribe)
    role_assign(incident=incident, role=RoleAssignment.Role.COMMANDER, user=blair, by=scribe)
    holders = incident.roles.filter(role="commander").order_by("started_at")
    assert [(r.user, r.ended_at is None) for r in holders] == [(alex, False), (blair, True)]
    texts = list(incident.events.filter(kind="role_change").values_list("text", flat=True))
    assert texts[-1] == "Incident commander: Blair Ode (was Alex Ng)"


def test_solo_mode_gives_one_person_all_four_roles(incident, scribe):
    solo_mode_declare(incident=incident, user=scribe, by=scribe)
    current = incident.roles.filter(ended_at__isnull=True)
    assert {r.role for r in current} == set(RoleAssignment.Role)
    assert {r.user for r in current} == {scribe}
    incident.refresh_from_db()
    assert incident.solo_mode


def test_a_status_update_needs_a_next_update_time_after_it(incident, scribe):
    with pytest.raises(ValidationError):
        status_update_post(
            incident=incident,
            author=scribe,
            known="Checkout fails",
            impact="EU users",
            posted_at=T0,
            next_update_due=T0,
        )
    status_update_post(
        incident=incident,
        author=scribe,
        known="Checkout fails.",
        impact="EU users.",
        posted_at=T0,
        next_update_due=T0 + incident.status_cadence,
    )
    entry = incident.events.get(kind=TimelineEvent.Kind.STATUS)
    assert entry.text.startswith("Status update: Checkout fails.")


def test_ticking_a_checklist_item_records_who_and_when(scribe):
    item = ChecklistItemFactory()
    checklist_tick(item=item, by=scribe, done=True)
    item.refresh_from_db()
    assert item.done_by == scribe
    assert item.done_at is not None
    assert item.done_at <= timezone.now()
    checklist_tick(item=item, by=scribe, done=False)
    item.refresh_from_db()
    assert (item.done_by, item.done_at) == (None, None)
