import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from incidents.models import Incident, TimelineEvent
from incidents.services import (
    checkpoint_record,
    incident_close,
    incident_set_status_cadence,
    timeline_add,
)
from tests.factories import IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def commander():
    return UserFactory(username="commander", first_name="Cleo", last_name="Commander")


def test_a_checkpoint_is_recorded_with_a_timeline_note(commander):
    incident = IncidentFactory()
    checkpoint = checkpoint_record(
        incident=incident,
        author=commander,
        state="Mitigated by rollback; monitoring.",
        customer_impact="None since 14:20.",
        next_decision_at=T0,
    )
    assert checkpoint.author == commander
    assert checkpoint.next_decision_at == T0
    event = incident.events.get()
    assert event.kind == TimelineEvent.Kind.NOTE
    assert event.text == "Checkpoint: Mitigated by rollback; monitoring."
    assert event.occurred_at == checkpoint.recorded_at
    assert event.actor == "Cleo Commander"


def test_a_checkpoint_refuses_fields_it_does_not_have(commander):
    with pytest.raises(TypeError, match="author_note"):
        checkpoint_record(
            incident=IncidentFactory(),
            author=commander,
            state="x",
            customer_impact="y",
            author_note="z",
        )


def test_only_a_resolved_incident_closes(commander):
    incident = IncidentFactory(state=Incident.State.MITIGATED)
    with pytest.raises(ValidationError, match="Only a resolved incident"):
        incident_close(incident=incident, by=commander)
    incident.refresh_from_db()
    assert incident.state == Incident.State.MITIGATED
    assert not incident.events.exists()


def test_closing_is_final_and_in_the_timeline(commander):
    incident = IncidentFactory()
    timeline_add(incident=incident, author=commander, text="Fixed", milestone="resolved")
    assert incident.state == Incident.State.RESOLVED
    closed = incident_close(incident=incident, by=commander)
    assert closed.state == incident.state == Incident.State.CLOSED
    assert incident.events.filter(kind="note", text="Incident closed.").exists()
    # A later milestone edit does not reopen it, and it cannot close twice.
    timeline_add(incident=incident, author=commander, text="Recheck", milestone="verified")
    incident.refresh_from_db()
    assert incident.state == Incident.State.CLOSED
    with pytest.raises(ValidationError):
        incident_close(incident=incident, by=commander)


@pytest.mark.parametrize("severity", ["SEV-3", "SEV-4"])
def test_lower_severities_take_an_agreed_cadence(commander, severity):
    incident = IncidentFactory(severity=severity)
    incident_set_status_cadence(incident=incident, minutes=120, by=commander)
    incident.refresh_from_db()
    assert incident.status_cadence == dt.timedelta(hours=2)
    decision = incident.events.get()
    assert decision.kind == TimelineEvent.Kind.DECISION
    assert decision.text == "Status updates every 2h 00m."
    incident_set_status_cadence(incident=incident, minutes=None, by=commander)
    assert incident.events.latest("pk").text.endswith(f"(the {severity} default).")
    # The same cadence again is no change and no entry.
    incident_set_status_cadence(incident=incident, minutes=None, by=commander)
    assert incident.events.count() == 2


@pytest.mark.parametrize("severity", ["SEV-1", "SEV-2"])
def test_the_top_severities_keep_the_seed_cadence(commander, severity):
    incident = IncidentFactory(severity=severity)
    with pytest.raises(ValidationError, match="only SEV-3 and SEV-4"):
        incident_set_status_cadence(incident=incident, minutes=240, by=commander)
    incident.refresh_from_db()
    assert incident.status_cadence_minutes is None
