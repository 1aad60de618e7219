"""The postmortem checks itself: the seeds' quality rules as findings.

Each check (rules.py) is a plain function over a ``Subject``, the postmortem
and its incident loaded once, returning findings: its name, error or
warning, a message a person understands and a link to the part to fix. The
page shows them as a panel that follows every change; moving to Final is
refused while an error stands, unless the facilitator overrode that check
with a written reason.

    report = run(postmortem)
    report.blocking   # errors of checks not overridden
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from django.utils import timezone

from incidents.models import Incident, RoleAssignment
from postmortems import kinds
from postmortems.models import CheckOverride, Postmortem

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    check: str
    level: Level
    message: str
    link: str  # where to fix it: an anchor of the document or a URL


@dataclass
class Subject:
    """Everything the checks read, loaded in a fixed number of queries."""

    postmortem: Postmortem
    incident: Incident
    template: kinds.Template
    now: dt.datetime
    sections: dict[str, str]  # key -> Markdown
    impact: dict[str, str]  # impact field key -> value
    factors: list
    whys: list
    actions: list
    events: list
    roles: list[RoleAssignment]
    status_updates: list
    checkpoints: list
    scopes: list
    people: list[str] = field(default_factory=list)  # names of those on the incident

    @property
    def milestones(self) -> dict[str, dt.datetime]:
        return {e.milestone: e.occurred_at for e in self.events if e.milestone}

    def incident_link(self, panel: str) -> str:
        return f"{self.incident.get_absolute_url()}#{panel}"


def load(postmortem: Postmortem) -> Subject:
    """Rows the document page has prefetched are read from there."""
    incident = postmortem.incident
    template = kinds.template_for(postmortem.kind)
    roles = list(incident.roles.select_related("user"))
    return Subject(
        postmortem=postmortem,
        incident=incident,
        template=template,
        now=timezone.now(),
        sections={s.key: s.body for s in postmortem.sections.all()},
        impact={f.key: f.value for f in postmortem.impact_fields.all()}
        if template.impact_fields
        else {},
        factors=_rows(postmortem.factors, template.has(kinds.Structured.FACTORS)),
        whys=_rows(postmortem.whys, template.has(kinds.Structured.WHYS)),
        actions=_rows(postmortem.actions, template.has(kinds.Structured.ACTIONS)),
        events=list(incident.events.all()),
        roles=roles,
        status_updates=list(incident.status_updates.order_by("posted_at")),
        checkpoints=list(incident.checkpoints.all()),
        scopes=list(incident.impact_scopes.all()),
        people=people_of(incident, roles),
    )


def _rows(related, shown: bool) -> list:
    """A part's rows, read only when the template has the part."""
    return list(related.all()) if shown else []


def people_of(incident: Incident, roles: list[RoleAssignment] | None = None) -> list[str]:
    """Every way the people on the incident may be named in its text (full
    name, first name, username): blaming one of them by name is flagged."""
    if roles is None:
        roles = list(incident.roles.select_related("user"))
    users = {incident.declared_by, *incident.responders.all(), *(r.user for r in roles)}
    names = set()
    for user in users - {None}:
        names |= {user.get_full_name(), user.first_name, user.get_username()}
    return sorted(name for name in names if len(name) > 1)


@dataclass(frozen=True)
class Result:
    check: str
    title: str
    findings: list[Finding]
    override: CheckOverride | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def passed(self) -> bool:
        return not self.errors or self.override is not None


@dataclass(frozen=True)
class Report:
    results: list[Result]

    @property
    def passed(self) -> int:
        return sum(result.passed for result in self.results)

    @property
    def blocking(self) -> list[Finding]:
        """The errors that keep the postmortem from Final."""
        return [f for r in self.results if not r.passed for f in r.errors]

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.results for f in r.findings]


def run(postmortem: Postmortem, subject: Subject | None = None) -> Report:
    from postmortems.checks.rules import CHECKS

    subject = subject or load(postmortem)
    overrides = {o.check_name: o for o in postmortem.check_overrides.select_related("by")}
    results = [
        Result(check.name, check.title, list(check.run(subject)), overrides.get(check.name))
        for check in CHECKS
        if check.applies(subject)
    ]
    return Report(results)
