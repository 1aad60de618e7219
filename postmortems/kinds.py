"""The four postmortem templates, taken from the seed templates.

Each kind lists its parts in the seed's order and with the seed's headings.
A part is a narrative section (Markdown, edited inline), an impact field (a
short labelled value), or a structured part rendered from rows of its own
(timeline, contributing factors, 5 whys, action items, sign-off, revisions).
"""

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    HOTFIX = "hotfix"
    FULL = "full"
    REVIEW = "review"
    PULSE = "pulse"


class Structured(StrEnum):
    TIMELINE = "timeline"
    FACTORS = "factors"
    WHYS = "whys"
    ACTIONS = "actions"
    SIGNOFF = "signoff"
    REVISIONS = "revisions"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    group: str = ""  # the enclosing heading in the seed, if any
    prompt: str = ""


@dataclass(frozen=True)
class ImpactField:
    key: str
    label: str
    group: str = ""


@dataclass(frozen=True)
class Template:
    kind: Kind
    label: str
    seed: str
    sections: tuple[Section, ...]
    impact_fields: tuple[ImpactField, ...]
    parts: tuple[Structured, ...]
    signoff_roles: tuple[str, ...] = ()

    def has(self, part: Structured) -> bool:
        return part in self.parts


HOTFIX = Template(
    kind=Kind.HOTFIX,
    label="Hotfix postmortem",
    seed="000_6336c0658adeb4fc.txt",
    sections=(
        Section("summary", "Impact", group="Summary", prompt="Brief impact statement."),
        Section("what_happened", "What Happened", group="Root Cause"),
        Section("why_hotfix", "Why Hotfix (vs. Normal Release)", group="Root Cause"),
        Section("customer_impact", "Customer/User Impact", group="Impact"),
        Section("business_impact", "Business Impact", group="Impact"),
        Section("went_well", "What Went Well"),
        Section("could_improve", "What Could Improve"),
        Section("lessons", "Lessons Learned"),
        Section("related_artifacts", "Related Artifacts", group="Appendix"),
    ),
    impact_fields=(
        ImpactField("duration_in_production", "Duration in production", group="Metrics"),
        ImpactField("affected_users", "Affected users/transactions", group="Metrics"),
        ImpactField("error_rate", "Error rate / availability impact", group="Metrics"),
    ),
    parts=(Structured.TIMELINE, Structured.FACTORS, Structured.ACTIONS, Structured.REVISIONS),
)

FULL = Template(
    kind=Kind.FULL,
    label="Full post-mortem",
    seed="001_0a73f838bdf75aa7.txt",
    sections=(
        Section("executive_summary", "Executive Summary", prompt="2-3 sentences for executives."),
        Section("what_happened", "What Happened", group="Root Cause Analysis"),
        Section("primary_cause", "Root Cause", group="Root Cause Analysis"),
        Section("trigger", "Trigger", group="Root Cause Analysis"),
        Section("detection_gap", "Why wasn't it detected sooner?", group="Detection and Response"),
        Section("went_well", "What Went Well", group="Detection and Response"),
        Section("went_poorly", "What Went Poorly", group="Detection and Response"),
        Section("immediate_fix", "Immediate Fix", group="Resolution"),
        Section("long_term_fix", "Long-term Fix", group="Resolution"),
        Section("technical_lessons", "Technical Lessons", group="Lessons Learned"),
        Section("process_lessons", "Process Lessons", group="Lessons Learned"),
        Section("communication_lessons", "Communication Lessons", group="Lessons Learned"),
        Section("prevention_short", "Short-term (This Week)", group="Prevention Measures"),
        Section("prevention_medium", "Medium-term (This Month)", group="Prevention Measures"),
        Section("prevention_long", "Long-term (This Quarter)", group="Prevention Measures"),
        Section("supporting_data", "Supporting Data"),
        Section("review_meeting", "Review Meeting", group="Follow-up"),
        Section("communication", "Communication"),
        Section("appendices", "Appendices"),
    ),
    impact_fields=(
        ImpactField("affected_users", "Affected Users", group="Customer Impact"),
        ImpactField("affected_features", "Affected Features", group="Customer Impact"),
        ImpactField("regions", "Geographic Regions", group="Customer Impact"),
        ImpactField("lost_revenue", "Lost Revenue", group="Customer Impact"),
        ImpactField("sla_breach", "SLA Breach", group="Customer Impact"),
        ImpactField("systems_affected", "Systems Affected", group="Technical Impact"),
        ImpactField("data_loss", "Data Loss", group="Technical Impact"),
        ImpactField("performance", "Performance Degradation", group="Technical Impact"),
        ImpactField("customer_tickets", "Customer Tickets", group="Business Impact"),
        ImpactField("reputation", "Reputation Impact", group="Business Impact"),
        ImpactField("compliance", "Compliance Issues", group="Business Impact"),
        ImpactField("response_quality", "Response Quality", group="Response"),
    ),
    parts=(
        Structured.TIMELINE,
        Structured.WHYS,
        Structured.FACTORS,
        Structured.ACTIONS,
        Structured.SIGNOFF,
        Structured.REVISIONS,
    ),
    signoff_roles=("Incident Commander", "Tech Lead", "Engineering Manager", "SRE Lead"),
)

REVIEW = Template(
    kind=Kind.REVIEW,
    label="Post-incident review",
    seed="003_10f0928864633635.txt",
    sections=(
        Section("executive_summary", "Executive Summary", prompt="2-3 sentences for stakeholders."),
        Section("root_cause", "Root Cause"),
        Section("went_well", "What Went Well"),
        Section("could_improve", "What Could Be Improved"),
        Section("lessons", "Lessons Learned"),
        Section("prevention", "Prevention"),
    ),
    impact_fields=(
        ImpactField("affected_users", "Users affected"),
        ImpactField("revenue_impact", "Revenue impact"),
        ImpactField("slo_budget_consumed", "SLO budget consumed"),
    ),
    parts=(Structured.TIMELINE, Structured.FACTORS, Structured.ACTIONS, Structured.REVISIONS),
)

PULSE = Template(
    kind=Kind.PULSE,
    label="Hotfix & triage pulse",
    seed="004_3e806674ab1b30bc.txt",
    sections=(
        Section("summary", "Summary", prompt="One-line plain-speak description."),
        Section("root_cause", "Root cause", prompt="Human + technical factors."),
        Section("what_worked", "What worked", prompt="Fast detection, solid comms, automation."),
        Section("what_failed", "What failed", prompt="Missed alert, unclear ownership, etc."),
        Section("prevent_repeat", "Prevent repeat", prompt="Code / process / automation changes."),
    ),
    impact_fields=(),
    parts=(Structured.TIMELINE, Structured.FACTORS, Structured.ACTIONS, Structured.REVISIONS),
)

TEMPLATES: dict[Kind, Template] = {t.kind: t for t in (HOTFIX, FULL, REVIEW, PULSE)}


def template_for(kind: str) -> Template:
    return TEMPLATES[Kind(kind)]
