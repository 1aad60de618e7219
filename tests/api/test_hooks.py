"""The pulse seed's hooks: failed CI twice opens one pulse incident; the
Slack command declares one; both are signed, and limited."""

import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import pytest

from incidents.models import Incident
from postmortems.models import CiFailure

pytestmark = pytest.mark.django_db

CI_SECRET = "ci-shared-secret"
SLACK_SECRET = "slack-signing-secret"


@pytest.fixture(autouse=True)
def _secrets(settings):
    settings.CI_WEBHOOK_SECRET = CI_SECRET
    settings.SLACK_SIGNING_SECRET = SLACK_SECRET
    settings.CI_FAILURE_WINDOW_MINUTES = 60


def workflow_run(run_id: int, *, attempt: int = 1, minute: int = 0, conclusion="failure") -> dict:
    """A trimmed but real-shaped GitHub Actions workflow_run event."""
    return {
        "action": "completed",
        "workflow_run": {
            "id": run_id,
            "name": "CI",
            "display_title": "Bump payments client",
            "head_branch": "main",
            "head_sha": "acb5820ced9479c074f688cc328bf03f341a511d",
            "path": ".github/workflows/ci.yml",
            "run_number": run_id - 1000,
            "run_attempt": attempt,
            "event": "push",
            "status": "completed",
            "conclusion": conclusion,
            "workflow_id": 161335,
            "html_url": f"https://github.com/acme/shop/actions/runs/{run_id}",
            "created_at": f"2026-11-24T10:{minute:02d}:00Z",
            "updated_at": f"2026-11-24T10:{minute + 4:02d}:30Z",
        },
        "workflow": {"id": 161335, "name": "CI", "path": ".github/workflows/ci.yml"},
        "repository": {"id": 1296269, "full_name": "acme/shop"},
        "sender": {"login": "octocat"},
    }


def deliver(client, payload: dict, *, secret: str = CI_SECRET, event: str = "workflow_run"):
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        "/api/v1/hooks/github",
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature, "X-GitHub-Event": event},
    )


def test_the_same_payload_replayed_twice_opens_no_incident(client):
    payload = workflow_run(2001)
    assert deliver(client, payload).json() == {"detail": "Recorded the failure.", "incident": None}
    assert deliver(client, payload).status_code == 200
    assert CiFailure.objects.count() == 1
    assert not Incident.objects.exists()


def test_the_second_failure_opens_one_pulse_incident_and_a_third_none(client):
    first = workflow_run(2001, minute=0)
    second = workflow_run(2001, attempt=2, minute=10)  # "Re-run failed jobs"
    deliver(client, first)
    opened = deliver(client, second).json()
    deliver(client, second)  # GitHub redelivers
    assert Incident.objects.count() == 1
    incident = Incident.objects.get()
    assert opened["incident"] == incident.ref
    assert incident.postmortem.kind == "pulse"
    assert incident.detection_method == "automated"
    sources = set(incident.events.exclude(source="").values_list("source", flat=True))
    run = "https://github.com/acme/shop/actions/runs/2001"
    assert sources == {run, f"{run}/attempts/2"}
    assert incident.events.filter(actor="GitHub Actions").count() == 2

    third = deliver(client, workflow_run(2002, minute=20)).json()
    assert third["incident"] == incident.ref
    assert Incident.objects.count() == 1
    assert incident.events.filter(source__endswith="/runs/2002").exists()


def test_failures_outside_the_window_or_other_branches_do_not_add_up(client, settings):
    settings.CI_FAILURE_WINDOW_MINUTES = 5
    deliver(client, workflow_run(2001, minute=0))
    deliver(client, workflow_run(2002, minute=30))
    other = workflow_run(2003, minute=31)
    other["workflow_run"]["head_branch"] = "feature"
    deliver(client, other)
    assert not Incident.objects.exists()


def test_success_and_other_events_are_ignored(client):
    assert (
        "not a failed run"
        in deliver(client, workflow_run(1, conclusion="success")).json()["detail"]
    )
    assert deliver(client, {"zen": "hi"}, event="ping").json()["detail"] == "pong"
    assert not CiFailure.objects.exists()


def test_a_bad_or_missing_signature_is_401(client):
    assert deliver(client, workflow_run(2001), secret="guessed").status_code == 401
    unsigned = client.post("/api/v1/hooks/github", {}, content_type="application/json")
    assert unsigned.status_code == 401
    assert not CiFailure.objects.exists()


def test_without_a_configured_secret_nothing_is_accepted(client, settings):
    settings.CI_WEBHOOK_SECRET = ""
    assert deliver(client, workflow_run(2001), secret="").status_code == 401


def test_the_webhook_is_rate_limited(client, settings):
    settings.HOOK_RATE_LIMIT = 2
    codes = [deliver(client, workflow_run(3000 + n)).status_code for n in range(3)]
    assert codes == [200, 200, 429]
    assert deliver(client, workflow_run(3010))["Retry-After"]


def slack(client, text: str, *, timestamp: int | None = None, secret: str = SLACK_SECRET):
    timestamp = int(time.time()) if timestamp is None else timestamp
    body = urlencode(
        {
            "command": "/pulse-hotfix",
            "text": text,
            "user_name": "dana",
            "channel_name": "incidents",
            "team_id": "T0001",
        }
    )
    base = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return client.post(
        "/api/v1/hooks/slack",
        body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature},
    )


def test_the_slash_command_declares_and_posts_the_checklist(client):
    response = slack(client, "SEV-2 Checkout returns 500s")
    assert response.status_code == 200
    answer = response.json()
    incident = Incident.objects.get()
    assert (incident.title, incident.severity, incident.is_hotfix) == (
        "Checkout returns 500s",
        "SEV-2",
        True,
    )
    assert answer["response_type"] == "in_channel"
    assert incident.ref in answer["text"]
    assert f"/incidents/{incident.ref}/" in answer["text"]
    assert "Stage 1 — Detection" in answer["text"]
    assert "Confirm the issue exists" in answer["text"]


def test_the_slash_command_without_a_title_explains_itself(client):
    answer = slack(client, "  ").json()
    assert answer["response_type"] == "ephemeral"
    assert not Incident.objects.exists()


def test_slack_bad_signature_and_replayed_old_timestamp_are_refused(client):
    assert slack(client, "Outage", secret="guessed").status_code == 401
    old = slack(client, "Outage", timestamp=int(time.time()) - 6 * 60)
    assert old.status_code == 401
    assert "replay" in old.json()["detail"]
    assert not Incident.objects.exists()


def test_the_slash_command_is_rate_limited(client, settings):
    settings.HOOK_RATE_LIMIT = 1
    slack(client, "Outage")
    response = slack(client, "Outage again")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
