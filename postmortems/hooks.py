"""The pulse seed's automation hooks: failed CI runs open a pulse incident,
and a chat command declares one and answers with its checklist.

Signatures are checked here (HMAC-SHA256, in constant time); the endpoints
are in postmortems/api/hooks.py.
"""

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from incidents.models import ChecklistItem, Incident, TimelineEvent
from incidents.pulse import STAGE_ITEMS
from incidents.services import incident_declare, timeline_add
from postmortems.kinds import Kind
from postmortems.models import CiFailure
from postmortems.services import postmortem_open

# Slack's rule: a request signed more than five minutes ago may be a replay.
SLACK_MAX_AGE = 300
CI_ACTOR = "GitHub Actions"


def github_signature_valid(body: bytes, header: str, secret: str) -> bool:
    """``X-Hub-Signature-256: sha256=<hex HMAC of the body>``."""
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"sha256={expected}", header)


def slack_signature_problem(
    body: bytes, timestamp: str, signature: str, secret: str, now: float
) -> str | None:
    """Why Slack's request signing refuses this request, or None when it is good."""
    if not secret:
        return "Slack commands are not configured (SLACK_SIGNING_SECRET)."
    try:
        sent = int(timestamp)
    except ValueError:
        return "Missing or malformed X-Slack-Request-Timestamp."
    if abs(now - sent) > SLACK_MAX_AGE:
        return "The request timestamp is more than five minutes off: refused as a possible replay."
    base = f"v0:{sent}:".encode() + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "The X-Slack-Signature does not match."
    return None


@dataclass(frozen=True)
class FailedRun:
    repository: str
    workflow: str
    branch: str
    run_id: int
    run_attempt: int
    run_number: int
    run_url: str
    title: str
    failed_at: dt.datetime


FAILED = {"failure", "timed_out"}


def failed_run(payload: dict) -> FailedRun | None:
    """The failed run a ``workflow_run`` event reports; None for any other
    event (requested, in progress, success ...). ValueError if malformed."""
    run = payload.get("workflow_run")
    if payload.get("action") != "completed" or not isinstance(run, dict):
        return None
    if run.get("conclusion") not in FAILED:
        return None
    try:
        attempt = int(run.get("run_attempt") or 1)
        # Each attempt has its own page: the source record of its timeline entry.
        url = str(run["html_url"]) + (f"/attempts/{attempt}" if attempt > 1 else "")
        failed_at = parse_datetime(str(run.get("updated_at") or "")) or timezone.now()
        return FailedRun(
            repository=str(payload["repository"]["full_name"])[:200],
            workflow=str(run.get("path") or run.get("workflow_id") or run["name"])[:200],
            branch=str(run["head_branch"])[:255],
            run_id=int(run["id"]),
            run_attempt=attempt,
            run_number=int(run.get("run_number") or 0),
            run_url=url[:500],
            title=str(run.get("display_title") or run.get("name") or "")[:120],
            failed_at=failed_at
            if timezone.is_aware(failed_at)
            else failed_at.replace(tzinfo=dt.UTC),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"Not a workflow_run payload: {error}") from None


def _log_run(incident: Incident, failure: CiFailure, name: str) -> None:
    if incident.events.filter(source=failure.run_url).exists():
        return  # the source record is the run: each run once
    attempt = f" (attempt {failure.run_attempt})" if failure.run_attempt > 1 else ""
    timeline_add(
        incident=incident,
        author=None,
        occurred_at=failure.failed_at,
        kind=TimelineEvent.Kind.FACT,
        text=f"CI failed: {name} on {failure.branch}{attempt}.",
        actor=CI_ACTOR,
        source=failure.run_url,
    )


@transaction.atomic
def ci_failure_record(*, run: FailedRun, name: str) -> Incident | None:
    """Record a failed run. The second failure of the workflow on the branch
    within CI_FAILURE_WINDOW_MINUTES opens a pulse incident (its runs in the
    timeline); later ones join that incident. A redelivery changes nothing."""
    failure, created = CiFailure.objects.get_or_create(
        repository=run.repository,
        run_id=run.run_id,
        run_attempt=run.run_attempt,
        defaults={
            "workflow": run.workflow,
            "branch": run.branch,
            "run_url": run.run_url,
            "failed_at": run.failed_at,
        },
    )
    if not created:
        return failure.incident
    window = dt.timedelta(minutes=settings.CI_FAILURE_WINDOW_MINUTES)
    # Locked: of two deliveries racing, the second sees the first's incident.
    streak = list(
        CiFailure.objects.select_for_update(of=("self",))
        .select_related("incident")
        .filter(
            repository=run.repository,
            workflow=run.workflow,
            branch=run.branch,
            failed_at__gte=run.failed_at - window,
            failed_at__lte=run.failed_at + window,
        )
    )
    incident = next((f.incident for f in streak if f.incident is not None), None)
    if incident is None and len(streak) < 2:
        return None
    if incident is None:
        incident = _open_pulse(run, name, streak)
    for each in streak:
        if each.incident_id is None:
            each.incident = incident
            each.save(update_fields=["incident"])
            _log_run(incident, each, name)
    return incident


def _open_pulse(run: FailedRun, name: str, streak: list[CiFailure]) -> Incident:
    first = min(f.failed_at for f in streak)
    incident = incident_declare(
        title=f"CI failing twice: {name} on {run.branch}"[:200],
        severity=Incident.Severity.SEV3,
        impact_category=Incident.ImpactCategory.OTHER,
        detection_method=Incident.DetectionMethod.AUTOMATED,
        declared_by=None,
        started_at=first,
        detected_at=max(f.failed_at for f in streak),
        summary=f"{run.repository}: the workflow {name} failed {len(streak)} times on "
        f"{run.branch} within {settings.CI_FAILURE_WINDOW_MINUTES} minutes.",
    )
    postmortem_open(incident=incident, kind=Kind.PULSE, facilitator=None, by=None)
    return incident


SEVERITIES = {s.value for s in Incident.Severity}


@transaction.atomic
def slack_declare(*, text: str, user_name: str, channel: str) -> Incident:
    """``/pulse-hotfix [SEV-n] <title>``: a hotfix incident (SEV-3 unless named)."""
    words = text.split()
    severity = Incident.Severity.SEV3
    if words and words[0].upper() in SEVERITIES:
        severity = words.pop(0).upper()
    incident = incident_declare(
        title=" ".join(words)[:200],
        severity=severity,
        impact_category=Incident.ImpactCategory.OTHER,
        detection_method=Incident.DetectionMethod.INTERNAL,
        declared_by=None,
        is_hotfix=True,
        summary=f"Declared from Slack by {user_name} in #{channel}.",
    )
    timeline_add(
        incident=incident,
        author=None,
        kind=TimelineEvent.Kind.COMMUNICATION,
        text=f"Declared with /pulse-hotfix in #{channel}.",
        actor=user_name[:120],
        source=f"slack:{channel}"[:500],
    )
    return incident


def pulse_message(incident: Incident) -> str:
    """The seed's live checklist, in Slack's mrkdwn, with the incident's link."""
    url = f"{settings.SITE_URL}{incident.get_absolute_url()}"
    lines = [
        f":rotating_light: *{incident.ref}* {incident.title} ({incident.severity})",
        f"<{url}|Open the incident> · pulse 🟢🟢⚪️⚪️⚪️",
    ]
    for stage, items in STAGE_ITEMS.items():
        lines.append(f"\n*{ChecklistItem.Stage(stage).label}*")
        lines.extend(f"☐ {item}" for item in items)
    return "\n".join(lines)
