"""Where each part of a template sits in the document, in the seed's order.

kinds.py says which narrative sections a template has, with their headings
and the seed heading that groups them; this adds where the structured parts
(timeline, factors, 5 whys, actions, impact, sign-off ...) sit among them,
as each seed lays them out. Consecutive items with the same group become
one H2 with its items as H3s; an item without a group is an H2 of its own.
"""

from dataclasses import dataclass, field

from postmortems import kinds
from postmortems.kinds import Kind


@dataclass(frozen=True)
class Sec:
    """A narrative section of the template, by key (title and group from kinds)."""

    key: str


@dataclass(frozen=True)
class Part:
    """A structured part: ``name`` picks its template partial."""

    name: str
    title: str
    group: str = ""
    anchor: str = ""
    impact_groups: tuple[str, ...] = ()  # for name == "impact"


@dataclass
class Item:
    """One block as the page renders it; the view attaches its rows."""

    kind: str  # "section" or a Part name
    title: str
    anchor: str
    spec: kinds.Section | None = None
    part: Part | None = None
    section: object = None  # the Section row of a "section" item
    impact: list = field(default_factory=list)  # (group title, [(spec, row)]) of impact parts

    @property
    def live_trigger(self) -> str:
        """The hx-trigger that re-fetches this block: its parts' live events
        (services.live_part names them; the incident's own are incidents/services.py)."""
        if self.kind == "section":
            return f"sse:section-{self.spec.key}"
        return ", ".join(f"sse:{event}" for event in LIVE_EVENTS[self.kind])


# Which live events change each structured part: the incident's facts
# (timeline, state) feed the parts computed from them.
LIVE_EVENTS = {
    "summary_facts": ("timeline", "state"),
    "timeline": ("timeline",),
    "detection": ("timeline", "state"),
    "impact": ("impact-fields",),
    "response": ("impact-fields", "timeline"),
    "factors": ("factors",),
    "whys": ("whys",),
    "actions": ("actions",),
    "signoff": ("signoffs",),
    "attachments": ("attachments",),
    "related": ("related",),
    "revisions": ("revisions",),
}


@dataclass
class Heading:
    """An H2 of the document; ``items`` are H3s under it (or the H2's own body)."""

    title: str
    anchor: str
    items: list[Item] = field(default_factory=list)
    grouped: bool = False


SUPPORTING = (
    Part("attachments", "Graphs and images", group="Supporting Data", anchor="attachments"),
    Part("related", "Related Incidents", group="Supporting Data", anchor="related"),
)

OUTLINES: dict[Kind, tuple[Sec | Part, ...]] = {
    Kind.HOTFIX: (
        Part("summary_facts", "Summary", group="Summary", anchor="summary"),
        Sec("summary"),
        Part("timeline", "Timeline", anchor="timeline"),
        Sec("what_happened"),
        Part("factors", "Contributing Factors", group="Root Cause", anchor="factors"),
        Sec("why_hotfix"),
        Sec("customer_impact"),
        Sec("business_impact"),
        Part("impact", "Metrics", group="Impact", anchor="impact", impact_groups=("Metrics",)),
        Sec("went_well"),
        Sec("could_improve"),
        Part("actions", "Follow-Up Actions", anchor="actions"),
        Sec("lessons"),
        Sec("related_artifacts"),
        Part("attachments", "Graphs and images", group="Appendix", anchor="attachments"),
        Part("related", "Related Incidents", group="Appendix", anchor="related"),
        Part("revisions", "Revision History", anchor="revisions"),
    ),
    Kind.FULL: (
        Sec("executive_summary"),
        Part(
            "impact",
            "Impact",
            anchor="impact",
            impact_groups=("Customer Impact", "Technical Impact", "Business Impact"),
        ),
        Part("timeline", "Timeline", anchor="timeline"),
        Sec("what_happened"),
        Part(
            "whys",
            "Why It Happened (5 Whys Analysis)",
            group="Root Cause Analysis",
            anchor="whys",
        ),
        Sec("primary_cause"),
        Part("factors", "Contributing Factors", group="Root Cause Analysis", anchor="factors"),
        Sec("trigger"),
        Part("detection", "Detection", group="Detection and Response", anchor="detection"),
        Sec("detection_gap"),
        Part(
            "response",
            "Response",
            group="Detection and Response",
            anchor="response",
            impact_groups=("Response",),
        ),
        Sec("went_well"),
        Sec("went_poorly"),
        Sec("immediate_fix"),
        Sec("long_term_fix"),
        Sec("technical_lessons"),
        Sec("process_lessons"),
        Sec("communication_lessons"),
        Part("actions", "Action Items", anchor="actions"),
        Sec("prevention_short"),
        Sec("prevention_medium"),
        Sec("prevention_long"),
        Sec("supporting_data"),
        *SUPPORTING,
        Sec("review_meeting"),
        Sec("communication"),
        Sec("appendices"),
        Part("signoff", "Sign-off", anchor="signoff"),
        Part("revisions", "Revision History", anchor="revisions"),
    ),
    Kind.REVIEW: (
        Sec("executive_summary"),
        Part("impact", "Impact", anchor="impact", impact_groups=("",)),
        Part("timeline", "Timeline", anchor="timeline"),
        Sec("root_cause"),
        Part("factors", "Contributing Factors", anchor="factors"),
        Sec("went_well"),
        Sec("could_improve"),
        Part("actions", "Action Items", anchor="actions"),
        Sec("lessons"),
        Sec("prevention"),
        *SUPPORTING,
        Part("revisions", "Revision History", anchor="revisions"),
    ),
    Kind.PULSE: (
        Sec("summary"),
        Part("timeline", "Timeline", anchor="timeline"),
        Sec("root_cause"),
        Part("factors", "Contributing factors", anchor="factors"),
        Sec("what_worked"),
        Sec("what_failed"),
        Sec("prevent_repeat"),
        Part("actions", "Action items", anchor="actions"),
        *SUPPORTING,
        Part("revisions", "Revision History", anchor="revisions"),
    ),
}

# The section whose body sits directly under its group's H2 (the seed has
# no heading of its own for it).
GROUP_OVERRIDES = {"supporting_data": "Supporting Data"}


def outline(template: kinds.Template) -> list[Heading]:
    specs = {spec.key: spec for spec in template.sections}
    headings: list[Heading] = []
    for entry in OUTLINES[template.kind]:
        if isinstance(entry, Sec):
            spec = specs[entry.key]
            group = GROUP_OVERRIDES.get(spec.key, spec.group)
            item = Item("section", spec.title, f"section-{spec.key}", spec=spec)
        else:
            group = entry.group
            item = Item(entry.name, entry.title, entry.anchor, part=entry)
        if group and headings and headings[-1].grouped and headings[-1].title == group:
            headings[-1].items.append(item)
        elif group:
            anchor = "group-" + group.lower().replace(" ", "-")
            headings.append(Heading(group, anchor, [item], grouped=True))
        else:
            headings.append(Heading(item.title, item.anchor, [item]))
    return headings


def section_keys(template: kinds.Template) -> list[str]:
    """The template's section keys in the order the document shows them."""
    return [e.key for e in OUTLINES[template.kind] if isinstance(e, Sec)]
