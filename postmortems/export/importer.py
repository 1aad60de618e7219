"""Import a hotfix change folder: the hotfix seed's inputs become an incident
and its hotfix postmortem.

``Planning/Changes/<CHANGE-ID>/`` under the repository root holds
``00-change-intent.md`` (frontmatter: ``is_hotfix``, ``title``) and
``01-triage.md`` (``log_root``, ``severity``); ``02-impact-analysis.md`` and
``03-incremental-micro-plan.md`` are linked when present, and so is what the
log_root holds (deployments, QA, reviews, SE logs, orchestration). The
deployment report is the production evidence. A missing or malformed input
answers the seed's ``not_applicable`` or ``blocked``, never an exception.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from incidents.models import Incident, TimelineEvent
from incidents.refs import CHANGE_ID_RE
from incidents.services import incident_declare, timeline_add
from postmortems.export.contract import Blocker, NotApplicable
from postmortems.kinds import Kind
from postmortems.models import Postmortem
from postmortems.paths import resolve_inside
from postmortems.services import HOTFIX_BLOCKER, postmortem_start, record_revision

SEVERITIES = {
    "P0": Incident.Severity.SEV1,
    "P1": Incident.Severity.SEV2,
    "P2": Incident.Severity.SEV3,
    "P3": Incident.Severity.SEV4,
    **{value: value for value in Incident.Severity.values},
}
# The log_root folders the seed names, in the order the appendix lists them.
LOG_FOLDERS = (
    ("deployments", "Deployment Log"),
    ("qa", "QA Reports"),
    ("reviews", "Review Reports"),
    ("se", "SE Logs"),
    ("se/diffs", "SE Diffs"),
    ("orchestration", "Orchestration Logs"),
)
DEPLOYED_KEYS = ("deployed_at", "deployed", "completed_at", "date", "created")
FRONTMATTER = re.compile(r"\A---\n(.*?)\n---\s*(?:\n|\Z)", re.S)


@dataclass
class ChangeFolder:
    """What the import read; ``answer`` is the seed's contract."""

    change_id: str
    title: str = ""
    severity: str = ""
    log_root: str = ""
    intent_body: str = ""
    detected_at: dt.datetime | None = None
    deployed_at: dt.datetime | None = None
    deployment: str = ""  # the report's path: the evidence
    artifacts: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ImportResult:
    answer: dict
    incident: Incident | None = None
    created: bool = False


def frontmatter(path: Path, name: str) -> tuple[dict, str]:
    """The YAML frontmatter of ``path`` and the text after it; Blocker when
    the file is missing or its frontmatter does not parse as a mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Blocker(
            f"{path.name} is missing from the change folder.",
            f"Add {path.name} with its frontmatter",
            [name],
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise Blocker(f"{path.name} cannot be read: {error}", f"Fix {path.name}", [name]) from None
    match = FRONTMATTER.match(text.replace("\r\n", "\n"))
    if match is None:
        raise Blocker(
            f"{path.name} has no YAML frontmatter.",
            f"Start {path.name} with a --- frontmatter block",
            [name],
        )
    try:
        data = yaml.safe_load(match[1])
    except yaml.YAMLError as error:
        problem = str(error).splitlines()[0]
        raise Blocker(
            f"{path.name} frontmatter is not valid YAML ({problem}).",
            f"Fix the frontmatter of {path.name}",
            [name],
        ) from None
    if not isinstance(data, dict):
        raise Blocker(
            f"{path.name} frontmatter is not a mapping of fields.",
            f"Fix the frontmatter of {path.name}",
            [name],
        )
    return data, text[match.end() :]


def _when(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(0, 0))
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)


def read_change_folder(change_id: str) -> ChangeFolder:
    """Everything the import needs from the folder; Blocker or NotApplicable."""
    change_id = change_id.strip()
    if not CHANGE_ID_RE.match(change_id):
        raise Blocker(
            f"{change_id!r} is not a change id CHG-YYYYMMDD-<slug>.",
            "Give the change id of a folder under Planning/Changes/",
            ["change_id"],
        )
    repo = Path(settings.EXPORT_REPO_ROOT)
    try:
        folder = resolve_inside(str(repo / "Planning/Changes" / change_id), [repo])
    except ValueError as error:
        raise Blocker(
            str(error), "Keep the change folder inside the repository", ["path"]
        ) from None
    if not folder.is_dir():
        raise Blocker(
            f"No change folder Planning/Changes/{change_id}/ in the repository.",
            "Create the change folder with 00-change-intent.md and 01-triage.md",
            ["change_folder"],
        )
    intent, intent_body = frontmatter(folder / "00-change-intent.md", "change_intent")
    if "is_hotfix" not in intent:
        raise Blocker(
            "00-change-intent.md does not declare is_hotfix.",
            "Declare is_hotfix: true (or false) in the change intent's frontmatter",
            ["is_hotfix"],
        )
    if intent["is_hotfix"] is not True:
        raise NotApplicable("is_hotfix: false — postmortem not required for non-hotfix changes")
    for key in ("change_id", "workstream_id"):
        if intent.get(key) not in (None, change_id):
            raise Blocker(
                f"00-change-intent.md names {key} {intent[key]!r}, not {change_id}.",
                "One story = one workstream: the workstream id must equal the change id",
                [key],
            )
    triage, _ = frontmatter(folder / "01-triage.md", "triage")
    severity = SEVERITIES.get(str(triage.get("severity", "")).strip().upper())
    if severity is None:
        raise Blocker(
            "01-triage.md has no severity P0-P3 (or SEV-1 to SEV-4).",
            "Set severity in the triage frontmatter",
            ["severity"],
        )
    if not str(triage.get("log_root") or "").strip():
        raise Blocker(
            "01-triage.md has no log_root.",
            "Set log_root in the triage frontmatter",
            ["log_root"],
        )
    try:
        log_root = resolve_inside(str(triage["log_root"]), list(settings.EXPORT_LOG_ROOTS))
    except ValueError as error:
        raise Blocker(str(error), "Use a log_root inside EXPORT_LOG_ROOTS", ["log_root"]) from None
    title = str(intent.get("title") or "").strip()
    if not title:
        heading = re.search(r"^#\s+(.+)$", intent_body, re.M)
        title = heading[1].strip() if heading else change_id
    change = ChangeFolder(
        change_id=change_id,
        title=title[:200],
        severity=severity,
        log_root=str(log_root),
        intent_body=intent_body.strip(),
        detected_at=_when(triage.get("detected_at")) or _when(triage.get("created")),
    )
    _deployment(change, log_root)
    _artifacts(change, folder, log_root)
    return change


def _deployment(change: ChangeFolder, log_root: Path) -> None:
    folder = log_root / "deployments"
    reports = sorted(folder.glob("Deploy-*.md")) if folder.is_dir() else []
    preferred = folder / f"Deploy-{change.change_id}.md"
    report = preferred if preferred in reports else (reports[0] if reports else None)
    if report is None:
        raise Blocker(**HOTFIX_BLOCKER)
    data, _ = frontmatter(report, "deployment_evidence")
    environment = str(data.get("environment", "production")).lower()
    if environment not in {"production", "prod"}:
        raise Blocker(**HOTFIX_BLOCKER)
    moment = next((_when(data[key]) for key in DEPLOYED_KEYS if key in data), None)
    if moment is None:
        raise Blocker(
            f"{report.name} does not say when it was deployed.",
            "Add deployed_at (ISO date and time) to the deployment report's frontmatter",
            ["deployment_evidence"],
        )
    change.deployment = str(report)
    change.deployed_at = moment


def _artifacts(change: ChangeFolder, folder: Path, log_root: Path) -> None:
    changes = f"../Planning/Changes/{change.change_id}"
    for name, label in (
        ("00-change-intent", "Change Intent"),
        ("01-triage", "Triage"),
        ("02-impact-analysis", "Impact Analysis"),
        ("03-incremental-micro-plan", "Incremental Micro Plan"),
    ):
        if (folder / f"{name}.md").is_file():
            change.artifacts.append((label, f"[[{changes}/{name}]]"))
    for sub, label in LOG_FOLDERS:
        path = log_root / sub
        if path.is_dir():
            for item in sorted(p for p in path.iterdir() if p.is_file()):
                change.artifacts.append((label, f"`{item}`"))


def related_artifacts(change: ChangeFolder) -> str:
    return "\n".join(f"- {label}: {link}" for label, link in change.artifacts)


def answer_for(change_id: str, exception: Blocker | NotApplicable) -> dict:
    if isinstance(exception, NotApplicable):
        return {"status": "not_applicable", "reason": exception.reason}
    return {
        "status": "blocked",
        "change_id": change_id,
        "is_hotfix": True,
        "artifacts": {},
        "blocker": exception.as_dict(),
    }


@transaction.atomic
def change_import(*, change_id: str, by) -> ImportResult:
    """Create or update the incident of ``change_id`` and its hotfix postmortem
    from the change folder. Only an incident ``by`` may see is updated."""
    try:
        change = read_change_folder(change_id)
    except (Blocker, NotApplicable) as exception:
        return ImportResult(answer_for(change_id.strip(), exception))
    existing = Incident.objects.filter(change_id=change.change_id).first()
    if existing and not Incident.objects.visible_to(by).filter(pk=existing.pk).exists():
        blocker = Blocker(
            "Another incident you cannot see already holds this change id.",
            "Ask its responders to import the change folder",
            ["change_id"],
        )
        return ImportResult(answer_for(change.change_id, blocker))
    incident, created = existing, existing is None
    if incident is None:
        incident = incident_declare(
            title=change.title,
            severity=change.severity,
            impact_category=Incident.ImpactCategory.OTHER,
            detection_method=Incident.DetectionMethod.OTHER,
            declared_by=by,
            detected_at=min(change.detected_at or change.deployed_at, timezone.now()),
            is_hotfix=True,
            change_id=change.change_id,
        )
    else:
        Incident.objects.filter(pk=incident.pk).update(
            title=change.title, severity=change.severity, is_hotfix=True
        )
        incident.refresh_from_db()
    _deployed_milestone(incident, change, by)
    postmortem = _hotfix_postmortem(incident, change, by)
    answer = {
        "status": "complete",
        "change_id": change.change_id,
        "is_hotfix": True,
        "severity": next(k for k, v in SEVERITIES.items() if v == change.severity),
        "incident": incident.ref,
        "created": created,
        "artifacts": {
            "change_folder": f"../Planning/Changes/{change.change_id}/",
            "log_root": change.log_root,
            "deployment": change.deployment,
        },
        "blocker": None,
    }
    record_revision(
        postmortem,
        target="import",
        version=1,
        summary=f"Imported the change folder {change.change_id}",
        content=change.deployment,
        by=by,
    )
    return ImportResult(answer, incident, created)


def _deployed_milestone(incident: Incident, change: ChangeFolder, by) -> None:
    event = incident.events.filter(milestone=TimelineEvent.Milestone.DEPLOYED).first()
    if event is None:
        timeline_add(
            incident=incident,
            author=by,
            occurred_at=change.deployed_at,
            kind=TimelineEvent.Kind.ACTION,
            milestone=TimelineEvent.Milestone.DEPLOYED,
            text="Deployed to production",
            actor="Deploy pipeline",
            source=change.deployment,
        )
    elif not event.source:
        TimelineEvent.objects.filter(pk=event.pk).update(source=change.deployment)


def _hotfix_postmortem(incident: Incident, change: ChangeFolder, by) -> Postmortem:
    postmortem = Postmortem.objects.filter(incident=incident).first()
    if postmortem is None:
        postmortem = postmortem_start(
            incident=incident, kind=Kind.HOTFIX, facilitator=by, log_root=change.log_root
        )
    elif postmortem.kind == Kind.HOTFIX:
        Postmortem.objects.filter(pk=postmortem.pk).update(log_root=change.log_root)
    # Filled only while empty: a person's edits are never overwritten.
    for key, text in (
        ("related_artifacts", related_artifacts(change)),
        ("why_hotfix", change.intent_body),
    ):
        postmortem.sections.filter(key=key, body="").update(body=text, updated_by=by)
    return postmortem
