"""The JSON an export answers: the hotfix seed's output contract.

``complete`` names the artifacts written; ``not_applicable`` gives the reason;
``blocked`` gives a blocker saying what is wrong, what to supply and which
fields it concerns. The full, review and pulse kinds answer the same shape
with the incident's ref in place of the change id.
"""

from dataclasses import dataclass, field

from postmortems.export.document import Doc
from postmortems.export.render import HOTFIX_SEVERITY
from postmortems.kinds import Kind


@dataclass
class Blocker(Exception):
    """The export cannot go on until someone supplies something."""

    description: str
    resolution_required: str
    affected_fields: list[str]
    findings: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "description": self.description,
            "resolution_required": self.resolution_required,
            "affected_fields": self.affected_fields,
        }


class NotApplicable(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _head(doc: Doc, status: str) -> dict:
    if doc.kind == Kind.HOTFIX:
        return {
            "status": status,
            "change_id": doc.change_id,
            "is_hotfix": doc.is_hotfix,
            "severity": HOTFIX_SEVERITY[doc.severity],
            "follow_up_count": len(doc.actions),
        }
    return {
        "status": status,
        "incident": doc.ref,
        "severity": doc.severity,
        "follow_up_count": len(doc.actions),
    }


def complete(doc: Doc, artifacts: dict[str, str]) -> dict:
    return _head(doc, "complete") | {"artifacts": artifacts, "blocker": None}


def blocked(doc: Doc, blocker: Blocker) -> dict:
    return _head(doc, "blocked") | {"artifacts": {}, "blocker": blocker.as_dict()}


def not_applicable(reason: str) -> dict:
    return {"status": "not_applicable", "reason": reason}
