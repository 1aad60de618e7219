"""Every accepted change tells the incident's open pages which part changed."""

import datetime as dt

import pytest
from django.utils import timezone

from incidents.models import RoleAssignment
from incidents.services import (
    checklist_tick,
    checkpoint_record,
    impact_scope_delete,
    impact_scope_save,
    role_assign,
    status_update_post,
    timeline_add,
    timeline_edit,
)
from postmortems import live
from tests.factories import ChecklistItemFactory, ImpactScopeFactory, IncidentFactory

pytestmark = pytest.mark.django_db


def targets(events) -> list[str]:
    return [e.target for e in events]


def test_a_timeline_entry_is_announced_with_who_and_which_version(
    published, ana, django_capture_on_commit_callbacks
):
    incident = IncidentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        event = timeline_add(incident=incident, author=ana, text="Rollback started")
    with django_capture_on_commit_callbacks(execute=True):
        timeline_edit(event=event, by=ana, version=1, text="Rollback started (canary)")
    assert published == [
        live.Event(incident=incident.pk, target="timeline", version=1, actor="Ana Silva"),
        live.Event(incident=incident.pk, target="timeline", version=2, actor="Ana Silva"),
    ]


def test_nothing_is_announced_before_commit(published, ana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        timeline_add(incident=IncidentFactory(), author=ana, text="Rollback started")
    assert published == []
    assert len(callbacks) == 1


def test_each_panel_announces_its_own_target(published, ana, django_capture_on_commit_callbacks):
    incident = IncidentFactory()
    with django_capture_on_commit_callbacks(execute=True):
        role_assign(incident=incident, role=RoleAssignment.Role.SCRIBE, user=ana, by=ana)
        status_update_post(
            incident=incident,
            author=ana,
            known="Known",
            impact="Impact",
            next_update_due=timezone.now() + dt.timedelta(minutes=30),
        )
        checklist_tick(item=ChecklistItemFactory(incident=incident), by=ana, done=True)
        checkpoint_record(incident=incident, author=ana, state="Stable", customer_impact="None")
        row = impact_scope_save(row=ImpactScopeFactory.build(incident=incident), by=ana)
        impact_scope_delete(row=row, by=ana)
        timeline_add(incident=incident, author=ana, text="Mitigated", milestone="mitigated")
    assert set(targets(published)) == {
        "timeline",
        "roles",
        "status",
        "checklist",
        "checkpoints",
        "impact",
        "state",
    }
