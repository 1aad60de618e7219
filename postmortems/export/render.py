"""The Markdown of each template kind, following its seed to the heading.

The order of the parts is the document outline (views/outline.py), the one
the page shows; where a seed lays a part out differently (the hotfix
summary's bullet list, the full seed's "Root Cause" holding the primary
cause and the factors in bold) the part is written the seed's way, without
a heading of its own. Parts a seed does not have (a hotfix has no revision
history) are left out. Pure: takes a ``Doc``, touches no database.

Everything written is CommonMark plus GitHub tables and task lists; table
cells escape ``|`` and turn line breaks into ``<br>``; the hotfix
frontmatter is YAML with every value double-quoted, as the seed writes it.
"""

import datetime as dt
import re
from collections.abc import Callable

import yaml

from incidents.models import ChecklistItem
from postmortems.checks.language import blaming_phrases
from postmortems.export.document import Doc
from postmortems.kinds import Kind
from postmortems.views.outline import Heading, Item, outline

EMPTY = "Not recorded."
DASH = "—"
HOTFIX_SEVERITY = {"SEV-1": "P0", "SEV-2": "P1", "SEV-3": "P2", "SEV-4": "P3"}
PULSE_SEVERITY = {
    "SEV-1": "🔴 Blocker",
    "SEV-2": "🟠 High",
    "SEV-3": "🟡 Medium",
    "SEV-4": "🟢 Low",
}
# The full seed's names for the workflow states.
SEED_STATUS = {"draft": "Draft", "in_review": "Under Review", "final": "Final", "closed": "Closed"}
# The incident-response seed's refusals: a blameless postmortem names no culprit.


# --- small pieces ---------------------------------------------------------------


def cell(text: object) -> str:
    """Text for one table cell: pipes escaped, line breaks kept as <br>."""
    value = str(text or "").strip().replace("\r\n", "\n").replace("\r", "\n")
    if not value:
        return DASH
    value = value.replace("\\|", "|").replace("|", "\\|")
    return "<br>".join(part.strip() for part in value.split("\n"))


def table(header: list[str], rows: list[list[object]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
    ]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def one_line(text: str) -> str:
    return " ".join(text.split()) or EMPTY


def quoted(value: str) -> str:
    """A YAML double-quoted scalar (the seed quotes every frontmatter value)."""
    return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=1 << 16).strip()


def frontmatter(fields: dict) -> str:
    """YAML frontmatter as the seeds write it: flow lists of plain words,
    quoted strings, one level of nested mappings."""
    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(value)}]")
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines += [f"  {k}: {quoted(v)}" for k, v in value.items()]
        else:
            lines.append(f"{key}: {quoted(value)}")
    lines.append("---")
    return "\n".join(lines)


FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
ATX = re.compile(r"^( {0,3})(#{1,6})(\s|$)")


def body(text: str, level: int) -> str:
    """A section's Markdown under a heading of ``level``: its own headings
    moved below that level (so the seed's headings stay the outline), with
    a blank line around each."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    if not text.strip():
        return EMPTY
    lines, in_fence, fence = text.split("\n"), [], ""
    for line in lines:
        if match := FENCE.match(line):
            fence = "" if fence and match[1].startswith(fence) else (fence or match[1][0] * 3)
            in_fence.append(True)
        else:
            in_fence.append(bool(fence))
    levels = [
        len(m[2])
        for line, fenced in zip(lines, in_fence, strict=True)
        if not fenced and (m := ATX.match(line))
    ]
    shift = max(0, level + 1 - min(levels)) if levels else 0
    out: list[str] = []
    after_heading = False
    for line, fenced in zip(lines, in_fence, strict=True):
        match = None if fenced else ATX.match(line)
        if match:
            line = "#" * min(6, len(match[2]) + shift) + line[match.end(2) :]
            if out and out[-1].strip():
                out.append("")
        elif after_heading and line.strip():
            out.append("")
        out.append(line.rstrip())
        after_heading = bool(match)
    return "\n".join(out)


def day(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return DASH
    if isinstance(value, dt.datetime):
        value = value.astimezone(dt.UTC).date()
    return value.isoformat()


def clock(value: dt.datetime | None, *, with_day: bool = True) -> str:
    if value is None:
        return DASH
    value = value.astimezone(dt.UTC)
    return f"{value:%Y-%m-%d %H:%M}" if with_day else f"{value:%H:%M}"


def long_duration(value: dt.timedelta | None) -> str:
    """``6 hours 25 minutes``, as the full seed writes a duration."""
    if value is None:
        return "Unknown"
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words[:2]) or "0 minutes"


def duration(doc: Doc) -> str:
    started, resolved = doc.started, doc.resolved
    return long_duration(resolved - started if started and resolved else None)


def checkbox(done: bool, text: str) -> str:
    return f"- [{'x' if done else ' '}] {text}"


def tracking(url: str) -> str:
    if not url:
        return DASH
    label = url.rstrip("/").rsplit("/", 1)[-1] or url
    return f"[{label}]({url})"


def one_day(doc: Doc) -> bool:
    days = {e.at.date() for e in doc.events}
    return len(days) <= 1


def bullets(pairs: list[tuple[str, str]]) -> str:
    """``- **Label:** value`` lines; a label ending in "?" takes no colon (the seed's)."""
    return "\n".join(
        f"- **{label}{'' if label.endswith('?') else ':'}** {one_line(value) if value else DASH}"
        for label, value in pairs
    )


# --- the parts ------------------------------------------------------------------


def timeline(doc: Doc) -> str:
    if doc.kind == Kind.HOTFIX:
        rows = [[clock(e.at), e.text] for e in doc.events]
        return table(["Time (UTC)", "Event"], rows or [[DASH, EMPTY]])
    with_day = not one_day(doc)
    rows = [[clock(e.at, with_day=with_day), e.text, e.actor] for e in doc.events]
    text = table(["Time", "Event", "Actor"], rows or [[DASH, EMPTY, DASH]])
    return f"All times in UTC\n\n{text}" if doc.kind == Kind.FULL else text


def factors(doc: Doc) -> str:
    if not doc.factors:
        return EMPTY

    def line(layer: str, text: str, verified: bool) -> str:
        note = "" if verified else ", to verify"
        return f"{one_line(text)} ({layer}{note})"

    if doc.kind == Kind.HOTFIX:
        return "\n".join(f"- Factor {n}: {line(*f)}" for n, f in enumerate(doc.factors, start=1))
    return "\n".join(f"{n}. {line(*f)}" for n, f in enumerate(doc.factors, start=1))


def whys(doc: Doc) -> str:
    if not doc.whys:
        return EMPTY
    return "\n\n".join(
        f"{n}. **{one_line(question)}**\n   → {one_line(answer) if answer else 'Not answered.'}"
        for n, (question, answer) in enumerate(doc.whys, start=1)
    )


def actions(doc: Doc) -> str:
    match doc.kind:
        case Kind.HOTFIX:
            header = ["Action", "Owner", "Priority", "Target Date", "Tracking"]
            rows = [
                [a.title, a.owner, a.priority, day(a.due), tracking(a.tracking_url)]
                for a in doc.actions
            ]
        case Kind.FULL:
            header = ["ID", "Action", "Owner", "Priority", "Due Date", "Status"]
            rows = [
                [a.ref, a.title, a.owner, a.priority, day(a.due), a.status] for a in doc.actions
            ]
        case _:
            header = ["#", "Action", "Owner", "Priority", "Due Date", "Status"]
            rows = [
                [a.number, a.title, a.owner, a.priority, day(a.due), a.status] for a in doc.actions
            ]
    return table(header, rows) if rows else EMPTY


def impact(doc: Doc, item: Item) -> str:
    groups = {g for g in item.part.impact_groups}
    specs = [s for s in doc.template.impact_fields if s.group in groups]
    if doc.kind == Kind.HOTFIX:
        return "\n".join(f"- {s.label}: {one_line(doc.impact.get(s.key, ''))}" for s in specs)
    if doc.kind == Kind.REVIEW:
        pairs = [(s.label, doc.impact.get(s.key, "")) for s in specs]
        pairs.insert(2, ("Duration", duration(doc)))  # the seed's list, computed
        return "\n".join(f"- {label}: {one_line(value)}" for label, value in pairs)
    blocks = []
    for group in item.part.impact_groups:
        pairs = [(s.label, doc.impact.get(s.key, "")) for s in specs if s.group == group]
        blocks.append(f"### {group}\n\n{bullets(pairs)}")
    return "\n\n".join(blocks)


def detection(doc: Doc) -> str:
    return bullets(
        [
            ("Time to Detect (TTD)", long_duration(doc.times.time_to_detect)),
            ("Detection Method", doc.detection),
            ("Why wasn't it detected sooner?", doc.sections.get("detection_gap", "")),
        ]
    )


def response(doc: Doc) -> str:
    times = doc.times
    return bullets(
        [
            ("Time to Respond (TTR)", long_duration(times.time_to_respond)),
            ("Time to Mitigate (TTM)", long_duration(times.time_to_mitigate)),
            ("Time to Resolve (TTR)", long_duration(times.time_to_resolve)),
            ("Response Quality", doc.impact.get("response_quality", "")),
        ]
    )


def signoff(doc: Doc) -> str:
    rows = [
        [s.role, s.name or DASH, day(s.signed_at), "[x]" if s.signed_at else "[ ]"]
        for s in doc.signoffs
    ]
    return table(["Role", "Name", "Date", "Reviewed"], rows) if rows else EMPTY


def revisions(doc: Doc) -> str:
    """1.0 the start, then one version per workflow step (the seed's history)."""
    rows = [
        [f"1.{n}", day(r.at), "Initial post-mortem" if n == 0 else r.summary, r.author or DASH]
        for n, r in enumerate(doc.revisions)
    ]
    return table(["Version", "Date", "Changes", "Author"], rows)


def attachments(doc: Doc) -> str:
    if not doc.attachments:
        return "None attached."
    return "\n".join(
        f"- {one_line(caption or name)} (`{name}`, kept in the workspace)"
        for caption, name in doc.attachments
    )


def related(doc: Doc) -> str:
    if not doc.related:
        return "None."
    return "\n".join(f"- [{ref}] - {one_line(title)}" for ref, title in doc.related)


def summary_facts(doc: Doc) -> str:
    times = doc.milestones
    detected, resolved = times.get("detected"), times.get("resolved")
    return bullets(
        [
            ("Title", doc.title),
            ("Change ID", doc.change_id),
            ("Severity", HOTFIX_SEVERITY[doc.severity]),
            ("Duration", long_duration(resolved - detected if detected and resolved else None)),
            ("Impact", doc.sections.get("summary", "")),
        ]
    )


PARTS: dict[str, Callable[[Doc], str]] = {
    "timeline": timeline,
    "factors": factors,
    "whys": whys,
    "actions": actions,
    "signoff": signoff,
    "revisions": revisions,
    "attachments": attachments,
    "related": related,
    "summary_facts": summary_facts,
    "detection": detection,
    "response": response,
}

# Per kind: outline items written without a heading of their own (the seed
# puts them inside a neighbour), items the seed names otherwise, and parts
# the seed does not have.
HEADLESS = {
    Kind.HOTFIX: {"section-summary"},
    Kind.FULL: {"factors", "section-detection_gap"},
}
RENAMED = {Kind.FULL: {"attachments": "Graphs"}}
LEFT_OUT = {
    Kind.HOTFIX: {"attachments", "related", "revisions"},
    Kind.FULL: set(),
    Kind.REVIEW: {"attachments", "related", "revisions"},
    Kind.PULSE: {"attachments", "related", "revisions"},
}


def _item(doc: Doc, item: Item, level: int) -> str:
    if item.kind == "section":
        key = item.spec.key
        if doc.kind == Kind.FULL and key == "primary_cause":
            text = body(doc.sections.get(key, ""), level)
            labelled = text.lower().startswith("**primary cause")
            return text if labelled else f"**Primary Cause:** {text}"
        if key in {"summary", "detection_gap"} and f"section-{key}" in HEADLESS.get(doc.kind, ()):
            return ""  # written inside the summary list / the detection list
        text = body(doc.sections.get(key, ""), level)
        if doc.kind == Kind.FULL and key == "review_meeting" and "**Date:**" not in text:
            return f"- **Date:** {clock(doc.review_meeting_at)} UTC\n\n{text}"
        return text
    if item.kind == "impact":
        return impact(doc, item)
    if item.kind == "factors" and doc.kind == Kind.FULL:
        return f"**Contributing Factors:**\n\n{factors(doc)}"
    return PARTS[item.kind](doc)


def _blocks(doc: Doc, headings: list[Heading], level: int = 2) -> list[str]:
    blocks: list[str] = []
    headless = HEADLESS.get(doc.kind, set())
    renamed = RENAMED.get(doc.kind, {})
    left_out = LEFT_OUT[doc.kind]
    for heading in headings:
        items = [i for i in heading.items if i.kind not in left_out]
        if not items:
            continue
        blocks.append(f"{'#' * level} {heading.title}")
        for item in items:
            grouped = heading.grouped and item.title != heading.title
            if grouped and item.anchor not in headless and item.kind not in headless:
                title = renamed.get(item.kind, item.title)
                blocks.append(f"{'#' * (level + 1)} {title}")
            if text := _item(doc, item, level + 1 if grouped else level):
                blocks.append(text)
            if doc.kind == Kind.FULL and item.spec and item.spec.key == "review_meeting":
                blocks += success_criteria(doc, level + 1)
    return blocks


# --- checklists computed from the postmortem ------------------------------------


def _written(doc: Doc, *keys: str) -> bool:
    return all(doc.sections.get(key, "").strip() for key in keys)


def success_criteria(doc: Doc, level: int) -> list[str]:
    owned = bool(doc.actions) and all(a.owner for a in doc.actions)
    prevention = [a for a in doc.actions if a.open] == [] and bool(doc.actions)
    verified = bool(doc.factors) and all(verified for _, _, verified in doc.factors)
    return [
        f"{'#' * level} Success Criteria",
        "Post-mortem is complete when:",
        "\n".join(
            [
                checkbox(owned, "All action items have owners"),
                checkbox(verified, "Root cause is fully understood"),
                checkbox(prevention, "Prevention measures are implemented"),
                checkbox(False, "Documentation is updated"),
                checkbox(False, "Team training is completed"),
            ]
        ),
    ]


def quality_checklist(doc: Doc) -> list[str]:
    milestones = doc.milestones
    text = "\n".join([*doc.sections.values(), *(f[1] for f in doc.factors)])
    lessons = ("technical_lessons", "process_lessons", "communication_lessons")
    prevention = ("prevention_short", "prevention_medium", "prevention_long")
    return [
        "## Post-Mortem Quality Checklist",
        "\n".join(
            [
                checkbox(
                    {"started", "detected", "resolved"} <= set(milestones),
                    "Timeline is complete and accurate",
                ),
                checkbox(_written(doc, "primary_cause"), "Root cause is clearly identified"),
                checkbox(any(v.strip() for v in doc.impact.values()), "Impact is quantified"),
                checkbox(
                    bool(doc.actions) and all(a.owner and a.due for a in doc.actions),
                    "Action items are specific and assigned",
                ),
                checkbox(_written(doc, *lessons), "Lessons learned are documented"),
                checkbox(
                    not blaming_phrases(text, names=doc.people),
                    "No blame is assigned to individuals",
                ),
                checkbox(
                    _written(doc, "what_happened", "trigger"),
                    "Technical details are sufficient for understanding",
                ),
                checkbox(
                    any(_written(doc, key) for key in prevention) and bool(doc.factors),
                    "Prevention measures address the root cause",
                ),
            ]
        ),
        *overridden_checks(doc),
    ]


def overridden_checks(doc: Doc) -> list[str]:
    """The checks the facilitator let stand before Final, and why (checks/)."""
    if not doc.overrides:
        return []
    return [
        "Checks overridden by the facilitator:",
        "\n".join(
            f"- {title}: {one_line(reason)} ({who or 'someone'})"
            for title, who, reason in doc.overrides
        ),
    ]


# --- the kinds ------------------------------------------------------------------


def render_hotfix(doc: Doc) -> str:
    fields = {
        "tags": ["postmortem", "hotfix", "incremental", "track-b"],
        "change_id": doc.change_id,
        "workstream_id": doc.change_id,  # one story = one workstream
        "incident_date": day(doc.started),
        "postmortem_date": day(doc.finalized_at),
        "severity": HOTFIX_SEVERITY[doc.severity],
        "status": "complete",
    }
    blocks = [
        frontmatter(fields),
        f"# Hotfix Postmortem — {doc.change_id}",
        *_blocks(doc, outline(doc.template)),
    ]
    return "\n\n".join(blocks) + "\n"


def render_full(doc: Doc) -> str:
    started, resolved = doc.started, doc.resolved
    header = [
        f"**Incident Number:** {doc.ref}",
        f"**Date:** {day(started)}",
        f"**Time:** {clock(started, with_day=False)} - {clock(resolved, with_day=False)} UTC",
        f"**Duration:** {duration(doc)}",
        f"**Severity:** {doc.severity}",
        f"**Author:** {doc.facilitator or DASH}",
        f"**Status:** {SEED_STATUS[doc.state]}",
    ]
    headings = outline(doc.template)
    # The seed closes with sign-off and history after a rule, then its checklist.
    tail_titles = {"Sign-off", "Revision History"}
    body_headings = [h for h in headings if h.title not in tail_titles]
    tail = [h for h in headings if h.title in tail_titles]
    blocks = [
        f"# Post-Mortem: {one_line(doc.title)}",
        "\\\n".join(header),
        *_blocks(doc, body_headings),
        "---",
        *_blocks(doc, tail),
        "---",
        *quality_checklist(doc),
    ]
    return "\n\n".join(blocks) + "\n"


def render_review(doc: Doc) -> str:
    header = [
        f"**Date of Incident:** {day(doc.started)}",
        f"**Duration:** {duration(doc)}",
        f"**Severity:** {doc.severity}",
        f"**Author:** {doc.facilitator or DASH}",
        f"**Reviewed:** {day(doc.finalized_at)}",
    ]
    blocks = [
        f"# Post-Incident Review: {doc.ref}",
        "\\\n".join(header),
        *_blocks(doc, outline(doc.template)),
    ]
    return "\n\n".join(blocks) + "\n"


PULSE_STAGES = {
    ChecklistItem.Stage.DETECTION: "🚨 Stage 1 — Detection",
    ChecklistItem.Stage.CONTAIN: "🧯 Stage 2 — Contain & Mitigate",
    ChecklistItem.Stage.REPAIR: "🔍 Stage 3 — Root Cause & Repair",
    ChecklistItem.Stage.POST_RESOLUTION: "🧾 Stage 4 — Post-Resolution",
}


def pulse_meter(steps: int) -> str:
    lit = "🟢" * steps + "⚪️" * (5 - steps)
    return lit + ("✅" if steps == 5 else "")


def render_pulse(doc: Doc) -> str:
    milestones = doc.milestones
    detected = next((e for e in doc.events if e.milestone == "detected"), None)
    header = bullets(
        [
            ("HASH ID", doc.change_id or doc.ref),
            ("Reported at", clock(milestones.get("detected")) + " UTC"),
            ("Detected by", (detected.actor if detected else "") or doc.detection),
            ("Severity", PULSE_SEVERITY[doc.severity]),
            ("Pulse status", pulse_meter(doc.pulse_steps)),
        ]
    )
    blocks = ["# ⚡ Hotfix & Incident Triage Pulse", "## 🧾 Header", header]
    for stage, title in PULSE_STAGES.items():
        items = doc.checklist.get(stage, [])
        checks = "\n".join(checkbox(done, text) for text, done in items) or EMPTY
        blocks += [f"## {title}", checks]
    blocks += ["## 🧠 Post-Mortem Mini-Template", *_blocks(doc, outline(doc.template), level=3)]
    verified = {"deployed", "verified"} <= set(milestones)
    blocks += [
        "## ✅ Completion Criteria",
        "\n".join(
            [
                checkbox("verified" in milestones, "Service metrics normal."),
                checkbox(verified, "Fix merged, verified, and deployed."),
                checkbox(doc.state in {"final", "closed"}, "Post-mortem logged and shared."),
                checkbox(
                    bool(doc.actions) and _written(doc, "prevent_repeat"),
                    "Learnings + actions entered into the knowledge base.",
                ),
                checkbox(doc.pulse_steps == 5, f"Pulse meter shows {pulse_meter(5)}."),
            ]
        ),
    ]
    return "\n\n".join(blocks) + "\n"


RENDERERS: dict[Kind, Callable[[Doc], str]] = {
    Kind.HOTFIX: render_hotfix,
    Kind.FULL: render_full,
    Kind.REVIEW: render_review,
    Kind.PULSE: render_pulse,
}


def render(doc: Doc) -> str:
    return RENDERERS[doc.kind](doc)


# --- the other files ------------------------------------------------------------


def root_cause(doc: Doc) -> str:
    """One sentence of the root cause, plain text, for the commit message."""
    key = {Kind.FULL: "primary_cause", Kind.HOTFIX: "what_happened"}.get(doc.kind, "root_cause")
    text = re.sub(r"[*_`#>\[\]]", "", one_line(doc.sections.get(key, "")))
    text = re.sub(r"\((https?://[^)]*)\)", "", text)
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    return sentence if len(sentence) <= 120 else sentence[:119].rstrip() + "…"


def commit_message(doc: Doc) -> str:
    """The full seed's commit message, for every kind."""
    return (
        f"Post-Mortem: {one_line(doc.title)}\n\n"
        f"- Severity: {doc.severity}\n"
        f"- Duration: {duration(doc)}\n"
        f"- Root Cause: {root_cause(doc)}\n"
        f"- Action Items: {len(doc.actions)}\n"
    )


def execution_log(
    doc: Doc, *, created: str, inputs: dict[str, str], outputs: dict[str, str], notes: list[str]
) -> str:
    """The hotfix seed's execution log (``{log_root}/meta/postmortem.log.md``)."""
    fields = {
        "tags": ["incremental", "log", "postmortem", "track-b"],
        "change_id": doc.change_id,
        "created": created,
        "inputs": inputs,
        "outputs": outputs,
        "status": "complete",
    }
    blocks = [
        frontmatter(fields),
        f"# Postmortem Log — {doc.change_id}",
        "## Inputs Gathered",
        f"- Timeline events: {len(doc.events)}\n- Follow-up actions defined: {len(doc.actions)}",
        "## Notes",
        "\n".join(f"- {note}" for note in notes),
    ]
    return "\n\n".join(blocks) + "\n"


TRACKING_HEADER = "| Post-mortem | Severity | Date | Status |\n| --- | --- | --- | --- |"


def tracking_file(existing: str, *, key: str, severity: str, status: str, today: dt.date) -> str:
    """``POST_MORTEM_TRACKING.md`` with the row of ``key`` added, or updated when
    its severity or status changed (its date then moves to ``today``)."""
    row_start = f"| {key} |"
    new_row = f"| {key} | {severity} | {today.isoformat()} | {status} |"
    lines = existing.rstrip("\n").split("\n") if existing.strip() else []
    if not lines:
        lines = ["# Post-Mortem Tracking", "", *TRACKING_HEADER.split("\n")]
    for index, line in enumerate(lines):
        if line.startswith(row_start):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if len(cells) == 4 and (cells[1], cells[3]) == (severity, status):
                return existing  # the same row; its date stays
            lines[index] = new_row
            break
    else:
        lines.append(new_row)
    return "\n".join(lines) + "\n"
