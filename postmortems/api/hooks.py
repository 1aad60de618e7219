"""Endpoints for other systems, signed instead of token-authenticated:
GitHub Actions' workflow_run webhook and Slack's ``/pulse-hotfix`` command."""

import json
import time
from typing import Literal
from urllib.parse import parse_qs

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from postmortems import hooks
from postmortems.api.common import ERRORS, ErrorOut, error_body
from postmortems.ratelimit import client_ip, over_limit, rate_limited

router = Router(tags=["hooks"], auth=None)


class CiHookOut(Schema):
    detail: str
    incident: str | None = None


class SlackOut(Schema):
    response_type: Literal["ephemeral", "in_channel"]
    text: str


def _limited(request: HttpRequest, hook: str) -> HttpResponse | None:
    key = f"hook:{hook}:{client_ip(request)}"
    if retry := over_limit(key, limit=settings.HOOK_RATE_LIMIT, window=60):
        return rate_limited(retry)
    return None


GITHUB_BODY = {
    "requestBody": {
        "description": "GitHub's workflow_run event, signed with X-Hub-Signature-256.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.post("/github", response={200: CiHookOut, ERRORS: ErrorOut}, openapi_extra=GITHUB_BODY)
def github_workflow_run(request: HttpRequest):
    """The second failure of a workflow on a branch within the window opens a
    pulse incident; the answer names it."""
    if limited := _limited(request, "github"):
        return limited
    secret = settings.CI_WEBHOOK_SECRET
    if not hooks.github_signature_valid(
        request.body, request.headers.get("X-Hub-Signature-256", ""), secret
    ):
        return Status(401, error_body("Missing or wrong X-Hub-Signature-256."))
    event = request.headers.get("X-GitHub-Event", "")
    if event == "ping":
        return Status(200, {"detail": "pong"})
    if event != "workflow_run":
        return Status(
            200, {"detail": f"Ignored: the {event or 'unnamed'} event is not workflow_run."}
        )
    try:
        payload = json.loads(request.body)
        run = hooks.failed_run(payload) if isinstance(payload, dict) else None
    except ValueError as error:
        return Status(400, error_body(str(error)))
    if run is None:
        return Status(200, {"detail": "Ignored: not a failed run."})
    name = str(payload["workflow_run"].get("name") or run.workflow)[:120]
    incident = hooks.ci_failure_record(run=run, name=name)
    if incident is None:
        return Status(200, {"detail": "Recorded the failure."})
    return Status(
        200, {"detail": "This workflow keeps failing: pulse incident.", "incident": incident.ref}
    )


SLACK_BODY = {
    "requestBody": {
        "description": "Slack's slash command form, signed with X-Slack-Signature.",
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "command": {"type": "string"},
                        "text": {"type": "string"},
                        "user_name": {"type": "string"},
                        "channel_name": {"type": "string"},
                    },
                }
            }
        },
    }
}


@router.post("/slack", response={200: SlackOut, ERRORS: ErrorOut}, openapi_extra=SLACK_BODY)
def slack_command(request: HttpRequest):
    """``/pulse-hotfix [SEV-n] <title>`` declares a hotfix incident and posts
    the pulse checklist with its link in the channel."""
    if limited := _limited(request, "slack"):
        return limited
    problem = hooks.slack_signature_problem(
        request.body,
        request.headers.get("X-Slack-Request-Timestamp", ""),
        request.headers.get("X-Slack-Signature", ""),
        settings.SLACK_SIGNING_SECRET,
        time.time(),
    )
    if problem:
        return Status(401, error_body(problem))
    form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
    title = form.get("text", "").replace("\x00", "").strip()
    if not title or not [w for w in title.split() if w.upper() not in hooks.SEVERITIES]:
        usage = "Usage: /pulse-hotfix [SEV-1..SEV-4] <what is broken>"
        return Status(200, {"response_type": "ephemeral", "text": usage})
    incident = hooks.slack_declare(
        text=title,
        user_name=form.get("user_name", "someone").replace("\x00", ""),
        channel=form.get("channel_name", "unknown").replace("\x00", ""),
    )
    return Status(200, {"response_type": "in_channel", "text": hooks.pulse_message(incident)})
