"""A shareable, redacted copy of a finished postmortem.

The maker picks which parts are shared; the copy is made then (later edits
never reach it): names of the people involved are replaced by their roles,
then secrets and PII are scanned out with the export's own scanner. The link's
token is signed (django.core.signing) and carries the link's id; the link
expires and can be revoked.
"""

import datetime as dt
import re

from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.db import transaction
from django.utils import timezone

from actions.models import ActionItem
from incidents.models import RoleAssignment
from postmortems.export.scan import redact, scan
from postmortems.learning.models import ShareLink
from postmortems.models import Postmortem

SALT = "postmortems.learning.share"
SHAREABLE_STATES = (Postmortem.State.FINAL, Postmortem.State.CLOSED)
STRUCTURED = [
    ("timeline", "Timeline"),
    ("factors", "Contributing factors"),
    ("actions", "Action items"),
]


class NotShareable(Exception):
    pass


def token_for(link: ShareLink) -> str:
    return signing.dumps(link.pk, salt=SALT)


def link_for(token: str) -> int | None:
    """The link id a token carries, or None for a forged or mangled one."""
    try:
        return int(signing.loads(token, salt=SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def part_choices(postmortem: Postmortem) -> list[tuple[str, str]]:
    sections = [(f"section:{s.key}", s.title) for s in postmortem.sections.all()]
    return sections + STRUCTURED


def people_roles(postmortem: Postmortem) -> dict[str, str]:
    """Each involved person's names (full, first+last, username, email) -> a role."""
    incident = postmortem.incident
    roles: dict[AbstractBaseUser, str] = {}
    for person in incident.responders.all():
        roles[person] = "a responder"
    if incident.declared_by:
        roles.setdefault(incident.declared_by, "the declarer")
    for action in ActionItem.objects.filter(postmortem=postmortem).select_related("owner"):
        if action.owner:
            roles.setdefault(action.owner, "an action owner")
    for assignment in RoleAssignment.objects.filter(incident=incident).select_related("user"):
        roles[assignment.user] = f"the {assignment.get_role_display().lower()}"
    if postmortem.facilitator:
        roles[postmortem.facilitator] = "the facilitator"
    names: dict[str, str] = {}
    for person, role in roles.items():
        for name in (
            person.get_full_name(),
            person.email,
            person.get_username(),
            person.first_name,
        ):
            if name and len(name) > 2:
                names.setdefault(name, role)
    return names


def anonymise(text: str, names: dict[str, str]) -> str:
    """Names replaced by roles (longest first, whole words only)."""
    for name in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<![\w@.]){re.escape(name)}(?![\w@])", f"[{names[name]}]", text)
    return text


def _part_markdown(postmortem: Postmortem, key: str) -> tuple[str, str]:
    if key.startswith("section:"):
        section = postmortem.sections.get(key=key.partition(":")[2])
        return section.title, section.body
    if key == "timeline":
        lines = [
            f"- {event.occurred_at:%Y-%m-%d %H:%M} UTC — {event.text}"
            + (f" ({event.actor})" if event.actor else "")
            for event in postmortem.incident.events.all()
        ]
        return "Timeline", "\n".join(lines)
    if key == "factors":
        lines = [
            f"- **{f.get_layer_display()}**: {f.description}" for f in postmortem.factors.all()
        ]
        return "Contributing factors", "\n".join(lines)
    if key == "actions":
        lines = [
            f"- {a.ref} {a.title} — {a.get_status_display()}"
            for a in postmortem.actions.order_by("number")
        ]
        return "Action items", "\n".join(lines)
    raise NotShareable(f"Unknown part {key!r}.")


@transaction.atomic
def share_create(
    *, postmortem: Postmortem, by: AbstractBaseUser, parts: list[str], lifetime: dt.timedelta
) -> ShareLink:
    if postmortem.state not in SHAREABLE_STATES:
        raise NotShareable("Only a Final postmortem can be shared.")
    names = people_roles(postmortem)
    order = [key for key, _ in part_choices(postmortem)]
    blocks, found = [], 0
    for key in sorted(parts, key=order.index):
        title, markdown = _part_markdown(postmortem, key)
        text = anonymise(markdown, names)
        findings = scan(text)
        found += len(findings)
        blocks.append({"key": key, "title": title, "markdown": redact(text, findings)})
    now = timezone.now()
    return ShareLink.objects.create(
        postmortem=postmortem,
        parts=parts,
        blocks=blocks,
        redactions=found,
        created_by=by,
        created_at=now,
        expires_at=now + lifetime,
    )
