"""The checks, in the order the panel lists them. Names follow the
incident-response seed (impact_check ... action_check); the others come
from the guardrails of the other seeds. Each yields Findings."""

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate

from django.utils.text import Truncator

from incidents.models import RoleAssignment, TimelineEvent
from postmortems.checks import Finding, Subject
from postmortems.checks.language import blaming_phrases, vague_action
from postmortems.export.scan import scan
from postmortems.kinds import Kind, Structured
from postmortems.models import REVIEW_DEADLINE, ContributingFactor

Findings = Iterator[Finding]

# A checkpoint (shift-change packet) is due once an incident runs this long.
CHECKPOINT_AFTER = dt.timedelta(hours=4)
# Milestones the timeline must show, with what the seed calls them.
REQUIRED_MILESTONES = {
    "detected": "detection",
    "triaged": "triage",
    "mitigated": "mitigation",
    "resolved": "resolution",
}
# Where each template states who and what was affected: impact fields or sections.
IMPACT_STATEMENTS = {
    "affected_users": "how many users or transactions were affected",
    "affected_features": "which features or journeys were affected",
    "customer_impact": "what customers experienced",
}
# Sections that name a root cause: it must be one technical trigger among the factors.
ROOT_CAUSE_SECTIONS = ("root_cause", "primary_cause", "trigger")
MIN_FACTORS, MIN_LAYERS = 3, 2


@dataclass(frozen=True)
class Check:
    name: str
    title: str
    run: Callable[[Subject], Findings]
    applies: Callable[[Subject], bool] = lambda subject: True


def _error(check: str, message: str, link: str) -> Finding:
    return Finding(check, "error", message, link)


def _warning(check: str, message: str, link: str) -> Finding:
    return Finding(check, "warning", message, link)


def _section_title(subject: Subject, key: str) -> str:
    return next((s.title for s in subject.template.sections if s.key == key), key)


# Impact


def impact_check(s: Subject) -> Findings:
    if "started" not in s.milestones:
        yield _error(
            "impact_check",
            "When did impact start? Add the “Impact started” milestone to the timeline.",
            s.incident_link("timeline-panel"),
        )
    if not ({"mitigated", "resolved"} & s.milestones.keys()):
        yield _error(
            "impact_check",
            "When did impact end? Add the “Mitigated” or “Resolved” milestone.",
            s.incident_link("timeline-panel"),
        )
    for key, what in IMPACT_STATEMENTS.items():
        if key in s.impact and not s.impact[key].strip():
            yield _error("impact_check", f"Say {what} (or “unknown”).", f"#impact-{key}")
        elif key in s.sections and not s.sections[key].strip():
            yield _error("impact_check", f"Say {what}.", f"#section-{key}")


def impact_scoping(s: Subject) -> Findings:
    if not s.scopes:
        yield _error(
            "impact_scoping",
            "Scope the impact: which user groups, fault domains and dependencies were "
            "hit (write “unknown” where nobody knows yet).",
            s.incident_link("impact-panel"),
        )


# Response


def role_check(s: Subject) -> Findings:
    if s.incident.solo_mode:
        return
    if not any(r.role == RoleAssignment.Role.COMMANDER for r in s.roles):
        yield _error(
            "role_check",
            "Nobody held the incident commander role, and solo mode was not declared.",
            s.incident_link("roles-panel"),
        )


def timeline_check(s: Subject) -> Findings:
    link = s.incident_link("timeline-panel")
    for milestone, label in REQUIRED_MILESTONES.items():
        if milestone not in s.milestones:
            yield _error(
                "timeline_check",
                f"The timeline has no {label}: mark the entry with the "
                f"“{TimelineEvent.Milestone(milestone).label}” milestone.",
                link,
            )
    communicated = s.status_updates or any(
        e.kind in (TimelineEvent.Kind.COMMUNICATION, TimelineEvent.Kind.STATUS) for e in s.events
    )
    if not communicated:
        yield _error(
            "timeline_check",
            "The timeline shows no communication: post a status update or log when "
            "stakeholders were told.",
            s.incident_link("status-panel"),
        )
    facts = [e for e in s.events if e.kind not in (TimelineEvent.Kind.NOTE, "role_change")]
    unsourced = [e for e in facts if not e.source.strip()]
    if unsourced:
        yield _warning(
            "timeline_check",
            f"{len(unsourced)} of {len(facts)} timeline entries carry no source record "
            "(an alert, a log line, a chat link).",
            link,
        )
    for previous, update in zip(s.status_updates, s.status_updates[1:], strict=False):
        if update.posted_at > previous.next_update_due:
            late = update.posted_at - previous.next_update_due
            yield _warning(
                "timeline_check",
                f"A status update came {int(late.total_seconds() // 60)} minutes after "
                "the time the previous one promised.",
                s.incident_link("status-panel"),
            )


def checkpoint_check(s: Subject) -> Findings:
    started = s.milestones.get("started") or (s.events[0].occurred_at if s.events else None)
    ended = s.milestones.get("resolved") or s.now
    long = started is not None and ended - started > CHECKPOINT_AFTER
    commanders = [r for r in s.roles if r.role == RoleAssignment.Role.COMMANDER]
    if (long or len(commanders) > 1) and not s.checkpoints:
        reason = "it ran longer than 4 hours" if long else "the commander changed"
        yield _error(
            "checkpoint_check",
            f"Record a checkpoint (the shift-change packet): {reason}.",
            s.incident_link("checkpoints-panel"),
        )


# Analysis


def factor_check(s: Subject) -> Findings:
    layers = {f.layer for f in s.factors}
    if len(s.factors) < MIN_FACTORS or len(layers) < MIN_LAYERS:
        yield _error(
            "factor_check",
            f"List at least {MIN_FACTORS} contributing factors across at least "
            f"{MIN_LAYERS} layers (now {len(s.factors)} in {len(layers)}): the trigger, "
            "and what let it through (detection, rollout, runbook, trade-offs).",
            "#factors",
        )
    stated = [key for key in ROOT_CAUSE_SECTIONS if s.sections.get(key, "").strip()]
    if stated and ContributingFactor.Layer.TECHNICAL_TRIGGER not in layers:
        yield _error(
            "factor_check",
            f"“{_section_title(s, stated[0])}” names a root cause, but no contributing "
            "factor is a technical trigger: add it as one factor among the others.",
            "#factors",
        )
    candidates = [f for f in s.factors if f.status == ContributingFactor.Status.CANDIDATE]
    if candidates:
        yield _warning(
            "factor_check",
            f"{len(candidates)} contributing factor{'s are' if len(candidates) > 1 else ' is'} "
            "still a candidate: verify, or keep it marked as inferred.",
            "#factors",
        )


def _texts(s: Subject) -> Iterator[tuple[str, str, str]]:
    """(where, link, text) of every piece of text a person wrote in the document."""
    for spec in s.template.sections:
        yield spec.title, f"#section-{spec.key}", s.sections.get(spec.key, "")
    for spec in s.template.impact_fields:
        yield spec.label, f"#impact-{spec.key}", s.impact.get(spec.key, "")
    for number, factor in enumerate(s.factors, 1):
        yield f"contributing factor {number}", "#factors", factor.description
    for number, why in enumerate(s.whys, 1):
        yield f"why {number}", "#whys", f"{why.question}\n{why.answer}"
    for action in s.actions:
        yield action.ref, "#actions", f"{action.title}\n{action.verification_signal}"


def blameless_check(s: Subject) -> Findings:
    for where, link, text in _texts(s):
        for flag in blaming_phrases(text, names=s.people):
            yield _error("blameless_check", f"“{flag.phrase}” in {where}: {flag.suggestion}", link)


def action_check(s: Subject) -> Findings:
    if not s.actions:
        yield _error(
            "action_check",
            "No action items yet: every contributing factor needs at least one.",
            "#actions",
        )
    for action in s.actions:
        if action.status == action.Status.WONT_DO:
            continue
        missing = [
            label
            for label, value in (
                ("an owner", action.owner_id or action.owner_team),
                ("a due date", action.due_date),
                ("a category", action.category),
                ("a verification signal", action.verification_signal.strip()),
            )
            if not value
        ]
        if missing:
            yield _error(
                "action_check", f"{action.ref} needs {_listed(missing)}.", f"#action-{action.pk}"
            )
        if reason := vague_action(action.title, action.verification_signal):
            yield _error("action_check", f"{action.ref}: {reason}", f"#action-{action.pk}")
    answered = {a.factor_id for a in s.actions if a.status != a.Status.WONT_DO}
    for number, factor in enumerate(s.factors, 1):
        if factor.pk not in answered:
            yield _error(
                "action_check",
                f"Contributing factor {number} (“{Truncator(factor.description).chars(60)}”) "
                "has no action answering it.",
                "#actions",
            )


def secrets_check(s: Subject) -> Findings:
    """The export's scanner: what would block the export blocks Final too.
    One scan over every part (the scanner's setup costs more than a line),
    each finding mapped back to its part."""
    parts = [(where, link, text.split("\n")) for where, link, text in _texts(s)]
    starts = list(accumulate((len(lines) for _, _, lines in parts), initial=0))
    text = "\n".join(line for _, _, lines in parts for line in lines)
    for finding in scan(text):
        index = bisect_right(starts, finding.line - 1) - 1
        where, link, _ = parts[index]
        yield _error(
            "secrets_check",
            f"{finding.label} in {where}, line {finding.line - starts[index]}: remove it, "
            "or choose to redact it in the export.",
            link,
        )


# Process


def timeliness_check(s: Subject) -> Findings:
    resolved = s.milestones.get("resolved")
    if resolved is None or s.postmortem.state not in ("draft", "in_review"):
        return
    late = s.now - (resolved + REVIEW_DEADLINE)
    if late > dt.timedelta(0):
        yield _warning(
            "timeliness_check",
            f"The draft was due 48 hours after resolution; it is {_hours(late)} late.",
            "#workflow",
        )


def hotfix_check(s: Subject) -> Findings:
    from postmortems.services import hotfix_blocker, hotfix_not_applicable_reason

    if reason := hotfix_not_applicable_reason(s.incident):
        yield _error("hotfix_check", f"Not a hotfix postmortem: {reason}.", "#summary")
    elif blocker := hotfix_blocker(s.incident):
        yield _error(
            "hotfix_check",
            f"{blocker['description']}. {blocker['resolution_required']}",
            s.incident_link("timeline-panel"),
        )


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _hours(span: dt.timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}" if hours else "less than an hour"


def _has(part: Structured) -> Callable[[Subject], bool]:
    return lambda s: s.template.has(part)


CHECKS: tuple[Check, ...] = (
    Check("impact_check", "Impact stated", impact_check),
    Check("impact_scoping", "Impact scoped", impact_scoping),
    Check("role_check", "Roles assigned", role_check),
    Check("timeline_check", "Timeline complete", timeline_check),
    Check("checkpoint_check", "Checkpoint recorded", checkpoint_check),
    Check("factor_check", "Contributing factors", factor_check, _has(Structured.FACTORS)),
    Check("blameless_check", "Blameless language", blameless_check),
    Check("action_check", "Action items", action_check, _has(Structured.ACTIONS)),
    Check("secrets_check", "No secrets or personal data", secrets_check),
    Check("timeliness_check", "Written within 48 hours", timeliness_check),
    Check(
        "hotfix_check",
        "Hotfix applicability",
        hotfix_check,
        lambda s: s.template.kind == Kind.HOTFIX,
    ),
)
