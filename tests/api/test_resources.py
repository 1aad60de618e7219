"""Each resource's happy path and its errors (409 stale, 422 per field)."""

import datetime as dt

import pytest

from incidents.models import Incident
from postmortems.models import ExportRun, Postmortem
from tests.factories import (
    ActionItemFactory,
    IncidentFactory,
    PostmortemFactory,
    TimelineEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NEW = {
    "title": "Checkout fails in EU",
    "severity": "SEV-2",
    "impact_category": "outage",
    "detection_method": "monitoring",
}


def test_declare_list_read_and_resolve_an_incident(api):
    created = api.post("/incidents", NEW)
    assert created.status_code == 201
    ref = created.json()["ref"]
    assert set(created.json()["milestones"]) == {"started", "detected"}
    IncidentFactory(severity="SEV-4")
    listed = api.get("/incidents", severity="SEV-2", state="active").json()
    assert [i["ref"] for i in listed["items"]] == [ref]
    assert api.get("/incidents", since="2999-01-01T00:00:00Z").json()["count"] == 0
    resolved = api.post(f"/incidents/{ref}/state", {"state": "resolved"})
    assert resolved.json()["state"] == "resolved"
    assert api.post(f"/incidents/{ref}/state", {"state": "closed"}).json()["state"] == "closed"


def test_invalid_input_is_422_with_a_message_per_field_and_nothing_saved(api):
    response = api.post("/incidents", {**NEW, "title": "", "severity": "SEV-9"})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"title", "severity"}
    response = api.post("/incidents", {**NEW, "change_id": "CHG-20261124-x"})
    assert response.json()["errors"] == {
        "change_id": ["Only a hotfix incident carries a change id."]
    }
    assert not Incident.objects.exists()


def test_closing_an_unresolved_incident_is_422(api):
    ref = api.post("/incidents", NEW).json()["ref"]
    response = api.post(f"/incidents/{ref}/state", {"state": "closed"})
    assert response.status_code == 422
    assert "resolved" in response.json()["detail"]


def test_timeline_entries_keep_their_time_zone_and_source(api):
    ref = api.post("/incidents", NEW).json()["ref"]
    entry = {
        "occurred_at": "2026-11-24T14:05:00+01:00",
        "kind": "action",
        "milestone": "mitigated",
        "text": "Rolled back deploy 142",
        "actor": "alertmanager",
        "source": "https://alerts.example.com/a/1",
    }
    response = api.post(f"/incidents/{ref}/timeline", entry)
    assert response.status_code == 201
    assert response.json()["occurred_at"] == "2026-11-24T13:05:00Z"
    entries = api.get(f"/incidents/{ref}/timeline").json()
    assert entries[0]["source"] == "https://alerts.example.com/a/1"
    assert api.get(f"/incidents/{ref}").json()["state"] == "mitigated"
    again = api.post(f"/incidents/{ref}/timeline", {**entry, "text": "again"})
    assert again.status_code == 422
    assert "milestone" in again.json()["errors"]
    bad = api.post(f"/incidents/{ref}/timeline", {"text": "x", "occurred_at": "yesterday"})
    assert list(bad.json()["errors"]) == ["occurred_at"]


def test_postmortem_start_read_section_conflict_and_workflow(api):
    ref = api.post("/incidents", NEW).json()["ref"]
    started = api.post(f"/postmortems/{ref}", {"kind": "full"})
    assert started.status_code == 201
    assert api.post(f"/postmortems/{ref}", {"kind": "full"}).status_code == 409
    document = api.get(f"/postmortems/{ref}").json()
    assert {"sections", "factors", "whys", "actions", "findings"} <= set(document)
    assert document["findings"]
    key = document["sections"][0]["key"]
    saved = api.put(f"/postmortems/{ref}/sections/{key}", {"body": "Ours", "version": 1})
    assert saved.json()["version"] == 2
    stale = api.put(f"/postmortems/{ref}/sections/{key}", {"body": "Theirs", "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current"] == {"version": 2, "body": "Ours", "title": saved.json()["title"]}
    review = api.post(f"/postmortems/{ref}/state", {"state": "in_review", "version": 1})
    assert review.json()["state"] == "in_review"
    final = api.post(f"/postmortems/{ref}/state", {"state": "final", "version": 2})
    assert final.status_code == 422
    assert final.json()["errors"]["checks"]
    assert Postmortem.objects.get().state == "in_review"
    jump = api.post(f"/postmortems/{ref}/state", {"state": "closed", "version": 2})
    assert jump.status_code == 422
    assert "state" in jump.json()["errors"]


def test_actions_capture_filter_and_update(api, api_user):
    postmortem = PostmortemFactory(incident=IncidentFactory(declared_by=api_user))
    ref = postmortem.incident.ref
    UserFactory(username="dana")
    created = api.post(
        f"/postmortems/{ref}/actions",
        {
            "title": "Alert on pool saturation",
            "category": "detect",
            "owner": "dana",
            "priority": "P1",
            "due_date": "2020-01-01",
        },
    )
    assert created.status_code == 201
    assert created.json()["ref"] == "AI-001"
    ActionItemFactory(
        postmortem=postmortem, number=2, owner_team="Platform", priority="P3", due_date=None
    )
    overdue = api.get("/actions", overdue="true").json()
    assert [a["ref"] for a in overdue["items"]] == ["AI-001"]
    assert api.get("/actions", owner="dana").json()["count"] == 1
    assert api.get("/actions", team="Platform").json()["items"][0]["ref"] == "AI-002"
    assert api.get("/actions", priority=["P1", "P3"]).json()["count"] == 2
    bad = api.post(
        f"/postmortems/{ref}/actions", {"title": "x", "category": "detect", "owner": "ghost"}
    )
    assert bad.json()["errors"] == {"owner": ["No active user is named “ghost”."]}

    done = api.patch(f"/postmortems/{ref}/actions/1", {"version": 1, "status": "done"})
    assert done.status_code == 422
    assert "verification_signal" in done.json()["errors"]
    changes = {
        "version": 1,
        "status": "done",
        "verification_signal": "Pager fires in the drill",
        "confirm_verified": True,
    }
    assert api.patch(f"/postmortems/{ref}/actions/1", changes).json()["status"] == "done"
    stale = api.patch(f"/postmortems/{ref}/actions/1", {"version": 1, "title": "Other"})
    assert stale.status_code == 409


def test_exports_start_with_202_and_read_the_contract(api, api_user):
    postmortem = PostmortemFactory(
        incident=IncidentFactory(declared_by=api_user),
        state=Postmortem.State.FINAL,
        finalized_at=dt.datetime.now(dt.UTC),
    )
    ref = postmortem.incident.ref
    started = api.post(f"/postmortems/{ref}/exports", {})
    assert started.status_code == 202
    run = started.json()["id"]
    assert api.post(f"/postmortems/{ref}/exports", {}).status_code == 409
    ExportRun.objects.filter(pk=run).update(
        status="blocked", contract={"status": "blocked"}, finished_at=dt.datetime.now(dt.UTC)
    )
    read = api.get(f"/exports/{run}").json()
    assert read["status"] == "blocked"
    assert read["contract"] == {"status": "blocked"}


def test_a_draft_is_not_exported(api, api_user):
    postmortem = PostmortemFactory(incident=IncidentFactory(declared_by=api_user))
    response = api.post(f"/postmortems/{postmortem.incident.ref}/exports", {})
    assert response.status_code == 422
    assert "state" in response.json()["errors"]


@pytest.mark.parametrize("incidents", [2, 20])
def test_the_incident_list_reads_the_same_queries_for_any_page_size(
    api, django_assert_num_queries, incidents
):
    for _ in range(incidents):
        TimelineEventFactory(incident=IncidentFactory(), milestone="detected")
    # The token (with its user) and its last-use stamp, then the count, the
    # page and the milestones of every incident on it, in one query.
    with django_assert_num_queries(5):
        response = api.get("/incidents")
    assert response.status_code == 200
    assert len(response.json()["items"]) == incidents
    assert all("detected" in item["milestones"] for item in response.json()["items"])
