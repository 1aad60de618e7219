import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from incidents.models import Incident, RoleAssignment, TimelineEvent
from tests.factories import (
    IncidentFactory,
    RoleAssignmentFactory,
    StatusUpdateFactory,
    TimelineEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_milestone_is_recorded_at_most_once_per_incident():
    incident = IncidentFactory()
    TimelineEventFactory(incident=incident, milestone=TimelineEvent.Milestone.RESOLVED)
    with pytest.raises(IntegrityError), transaction.atomic():
        TimelineEventFactory(incident=incident, milestone=TimelineEvent.Milestone.RESOLVED)


def test_the_milestone_rule_explains_itself_in_validation():
    incident = IncidentFactory()
    TimelineEventFactory(incident=incident, milestone=TimelineEvent.Milestone.MITIGATED)
    duplicate = TimelineEvent(
        incident=incident, text="Mitigated again?", milestone=TimelineEvent.Milestone.MITIGATED
    )
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "already has that milestone" in str(error.value)


def test_the_same_milestone_on_two_incidents_and_plain_entries_are_fine():
    first, second = IncidentFactory(), IncidentFactory()
    TimelineEventFactory(incident=first, milestone=TimelineEvent.Milestone.DETECTED)
    TimelineEventFactory(incident=second, milestone=TimelineEvent.Milestone.DETECTED)
    TimelineEventFactory.create_batch(3, incident=first)
    assert first.events.count() == 4


def test_milestone_times_come_from_the_timeline():
    incident = IncidentFactory()
    resolved = timezone.now()
    TimelineEventFactory(
        incident=incident, milestone=TimelineEvent.Milestone.RESOLVED, occurred_at=resolved
    )
    TimelineEventFactory(incident=incident)
    assert incident.milestone_times() == {"resolved": resolved}


def test_a_bad_change_id_is_refused_with_the_format():
    incident = IncidentFactory.build(is_hotfix=True, change_id="CHG-24-11-2026", declared_by=None)
    with pytest.raises(ValidationError) as error:
        incident.full_clean()
    assert "CHG-YYYYMMDD-<slug>" in str(error.value.message_dict["change_id"])


def test_only_a_hotfix_carries_a_change_id():
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentFactory(is_hotfix=False, change_id="CHG-20261124-login")


def test_one_incident_per_change():
    IncidentFactory(is_hotfix=True, change_id="CHG-20261124-login")
    IncidentFactory(is_hotfix=True, change_id="")
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentFactory(is_hotfix=True, change_id="CHG-20261124-login")


def test_a_bad_incident_ref_is_refused():
    incident = IncidentFactory.build(ref="INC-24-11-2026-1", declared_by=None)
    with pytest.raises(ValidationError) as error:
        incident.full_clean()
    assert "INC-YYYY-MM-DD-N" in str(error.value.message_dict["ref"])


def test_severity_outside_the_four_levels_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        IncidentFactory(severity="SEV-5")


def test_a_role_has_one_current_holder_and_keeps_its_history():
    incident = IncidentFactory()
    first = RoleAssignmentFactory(incident=incident, role=RoleAssignment.Role.COMMANDER)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignmentFactory(incident=incident, role=RoleAssignment.Role.COMMANDER)
    first.ended_at = timezone.now()
    first.save(update_fields=["ended_at"])
    RoleAssignmentFactory(incident=incident, role=RoleAssignment.Role.COMMANDER, user=UserFactory())
    assert incident.roles.filter(role="commander").count() == 2
    assert incident.roles.filter(role="commander", ended_at__isnull=True).count() == 1


def test_a_status_update_needs_its_next_update_after_it():
    posted = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        StatusUpdateFactory(posted_at=posted, next_update_due=posted - dt.timedelta(minutes=1))


@pytest.mark.parametrize(
    ("severity", "minutes"),
    [("SEV-1", 30), ("SEV-2", 60), ("SEV-3", 240), ("SEV-4", 1440)],
)
def test_status_cadence_follows_severity(severity, minutes):
    assert Incident(severity=severity).status_cadence == dt.timedelta(minutes=minutes)
