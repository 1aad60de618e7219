from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.models import Incident
from postmortems import checks, live
from postmortems.kinds import Kind, template_for
from postmortems.models import (
    Attachment,
    CheckOverride,
    ContributingFactor,
    ImpactField,
    Postmortem,
    Revision,
    Section,
    SignOff,
    Why,
)
from postmortems.paths import resolve_inside
from postmortems.versioning import StaleVersion, normalize_text, same_text, save_if_current


def hotfix_not_applicable_reason(incident: Incident) -> str | None:
    """The hotfix seed's ``not_applicable`` reason, or None when it applies."""
    if not incident.is_hotfix:
        return "is_hotfix: false — postmortem not required for non-hotfix changes"
    if not incident.change_id:
        return "change_id missing — a hotfix postmortem is filed under its change id"
    return None


@transaction.atomic
def postmortem_start(
    *,
    incident: Incident,
    kind: str,
    facilitator: AbstractBaseUser | None,
    log_root: str = "",
) -> Postmortem:
    """A postmortem with the sections, impact fields and sign-off rows of its template."""
    if kind == Kind.HOTFIX and (reason := hotfix_not_applicable_reason(incident)):
        raise ValidationError({"kind": f"not_applicable: {reason}"}, code="not_applicable")
    template = template_for(kind)
    postmortem = Postmortem.objects.create(
        incident=incident, kind=kind, facilitator=facilitator, log_root=log_root
    )
    Section.objects.bulk_create(
        Section(postmortem=postmortem, key=s.key, title=s.title, position=position)
        for position, s in enumerate(template.sections)
    )
    ImpactField.objects.bulk_create(
        ImpactField(postmortem=postmortem, key=f.key) for f in template.impact_fields
    )
    SignOff.objects.bulk_create(
        SignOff(postmortem=postmortem, role=role, position=position)
        for position, role in enumerate(template.signoff_roles)
    )
    return postmortem


def record_revision(
    postmortem: Postmortem, *, target: str, version: int, summary: str, content: str, by
):
    Revision.objects.create(
        postmortem=postmortem,
        target=target,
        version=version,
        summary=summary,
        content=content,
        author=by,
    )
    _announce(postmortem, by, target=target, version=version)


# A revision's target ("section:summary", "factor:12" ...) names the page part
# it changes; open pages re-fetch that part on its live event.
LIVE_PARTS = {
    "section": "section-{key}",
    "impact": "impact-fields",  # the incident page's own impact panel is "impact"
    "factor": "factors",
    "why": "whys",
    "action": "actions",
    "signoff": "signoffs",
    "workflow": "workflow",
    "attachment": "attachments",
    "related": "related",
    "check": "checks",
}


def live_part(target: str) -> str:
    """The live event of a revision target: "section:summary" -> "section-summary"."""
    name, _, key = target.partition(":")
    return LIVE_PARTS.get(name, "document").format(key=key)


def _announce(postmortem: Postmortem, by, *, target: str, version: int = 0) -> None:
    """Every open page of the incident re-fetches the changed part, and the
    revision history, after commit."""
    actor = (by.get_full_name() or by.get_username()) if by else ""
    incident = postmortem.incident_id
    live.announce(incident=incident, target=live_part(target), version=version, actor=actor)
    live.announce(incident=incident, target="revisions", actor=actor)


@transaction.atomic
def section_save(*, section: Section, by, body: str, version: int) -> Section:
    """Save a section's Markdown made to ``version``.

    A save that changes nothing but whitespace or line endings is accepted
    as it is, whatever its version: an idle autosave never raises a conflict.
    Otherwise the save wins only if nobody saved since ``version``
    (StaleVersion with the current text otherwise) and is recorded in the
    revision history.
    """
    current = Section.objects.get(pk=section.pk)
    if same_text(current.body, body):
        return current
    saved = save_if_current(
        current,
        version=version,
        body=normalize_text(body),
        updated_by=by,
        updated_at=timezone.now(),
    )
    record_revision(
        saved.postmortem,
        target=f"section:{saved.key}",
        version=saved.version,
        summary=f"Edited {saved.title}",
        content=saved.body,
        by=by,
    )
    return saved


@transaction.atomic
def impact_field_save(*, field: ImpactField, by, value: str, version: int) -> ImpactField:
    current = ImpactField.objects.get(pk=field.pk)
    value = value.strip()
    if current.value == value:
        return current
    saved = save_if_current(current, version=version, value=value)
    record_revision(
        saved.postmortem,
        target=f"impact:{saved.key}",
        version=saved.version,
        summary=f"Set impact {saved.key}",
        content=value,
        by=by,
    )
    return saved


# The workflow: forward one step at a time, or back from review to draft and
# from final to review (reopening) when something was missed.
TRANSITIONS: dict[str, set[str]] = {
    Postmortem.State.DRAFT: {Postmortem.State.IN_REVIEW},
    Postmortem.State.IN_REVIEW: {Postmortem.State.DRAFT, Postmortem.State.FINAL},
    Postmortem.State.FINAL: {Postmortem.State.IN_REVIEW, Postmortem.State.CLOSED},
    Postmortem.State.CLOSED: set(),
}


@transaction.atomic
def postmortem_transition(*, postmortem: Postmortem, to: str, by, version: int) -> Postmortem:
    current = Postmortem.objects.get(pk=postmortem.pk)
    if current.version != version:
        raise StaleVersion(current)  # someone moved it first: show where it is now
    if to not in TRANSITIONS[current.state]:
        raise ValidationError(
            f"A postmortem cannot go from {current.get_state_display()} to "
            f"{Postmortem.State(to).label}.",
            code="invalid_transition",
        )
    if to == Postmortem.State.FINAL and (blocking := checks.run(current).blocking):
        # The gate: the seeds' rules hold before anyone calls it Final.
        raise ValidationError(
            [ValidationError(finding.message, code="checks_failed") for finding in blocking]
        )
    finalized_at = current.finalized_at
    if to in (Postmortem.State.FINAL, Postmortem.State.CLOSED):
        finalized_at = finalized_at or timezone.now()
    else:
        finalized_at = None
    saved = save_if_current(current, version=version, state=to, finalized_at=finalized_at)
    record_revision(
        saved,
        target="workflow",
        version=saved.version,
        summary=f"{current.get_state_display()} → {saved.get_state_display()}",
        content=to,
        by=by,
    )
    return saved


# Structured rows of a postmortem that people add, edit, reorder and delete.
# Each carries ``position`` and ``version``; the history names them by target.
RowModel = type[ContributingFactor] | type[Why]
ROW_TARGETS: dict[type, str] = {ContributingFactor: "factor", Why: "why"}


def _row_content(row) -> str:
    if isinstance(row, ContributingFactor):
        return f"[{row.get_layer_display()} · {row.get_status_display()}] {row.description}"
    return f"{row.question} → {row.answer}"


@transaction.atomic
def row_add(*, model: RowModel, postmortem: Postmortem, by, **fields):
    last = model.objects.filter(postmortem=postmortem).order_by("-position").first()
    row = model.objects.create(
        postmortem=postmortem, position=(last.position + 1) if last else 0, **fields
    )
    target = ROW_TARGETS[model]
    record_revision(
        postmortem,
        target=f"{target}:{row.pk}",
        version=row.version,
        summary=f"Added {target}",
        content=_row_content(row),
        by=by,
    )
    return row


@transaction.atomic
def row_edit(*, row, by, version: int, **changes):
    current = type(row).objects.get(pk=row.pk)
    if all(getattr(current, field) == value for field, value in changes.items()):
        return current
    saved = save_if_current(current, version=version, **changes)
    target = ROW_TARGETS[type(row)]
    record_revision(
        saved.postmortem,
        target=f"{target}:{saved.pk}",
        version=saved.version,
        summary=f"Edited {target}",
        content=_row_content(saved),
        by=by,
    )
    return saved


@transaction.atomic
def row_delete(*, row, by, version: int) -> None:
    model = type(row)
    current = model.objects.get(pk=row.pk)
    if not model.objects.filter(pk=current.pk, version=version).delete()[0]:
        raise StaleVersion(current)
    target = ROW_TARGETS[model]
    record_revision(
        current.postmortem,
        target=f"{target}:{current.pk}",
        version=current.version,
        summary=f"Deleted {target}",
        content=_row_content(current),
        by=by,
    )


@transaction.atomic
def row_move(*, row, by, offset: int) -> None:
    """Move a row up (-1) or down (+1) among its siblings, renumbering them."""
    model = type(row)
    rows = list(model.objects.filter(postmortem_id=row.postmortem_id).order_by("position", "pk"))
    index = next(i for i, r in enumerate(rows) if r.pk == row.pk)
    target = max(0, min(len(rows) - 1, index + offset))
    if target == index:
        return
    rows.insert(target, rows.pop(index))
    for position, sibling in enumerate(rows):
        if sibling.position != position:
            model.objects.filter(pk=sibling.pk).update(position=position)
    _announce(row.postmortem, by, target=ROW_TARGETS[model])


@transaction.atomic
def signoff_sign(*, signoff: SignOff, by, signed: bool) -> SignOff:
    signoff.user = by if signed else None
    signoff.signed_at = timezone.now() if signed else None
    signoff.save(update_fields=["user", "signed_at"])
    record_revision(
        signoff.postmortem,
        target=f"signoff:{signoff.role}",
        version=1,
        summary=f"{'Signed' if signed else 'Withdrew sign-off'} as {signoff.role}",
        content="",
        by=by,
    )
    return signoff


# Starting a postmortem from the start page: the hotfix seed's applicability
# rules and the log_root check, then postmortem_start.

HOTFIX_BLOCKER = {
    "description": "Missing deployment evidence / Cannot verify production deployment",
    "resolution_required": "Provide deployment log or confirmation",
    "affected_fields": ["deployment_evidence"],
}


def hotfix_blocker(incident: Incident) -> dict | None:
    """The hotfix seed's ``blocked`` answer, or None when the incident has
    deployment evidence: a ``deployed`` milestone with a source record."""
    deployed = incident.events.filter(milestone="deployed").exclude(source="").exists()
    return None if deployed else dict(HOTFIX_BLOCKER)


@transaction.atomic
def postmortem_open(
    *,
    incident: Incident,
    kind: str,
    facilitator: AbstractBaseUser | None,
    by: AbstractBaseUser | None,
    log_root: str = "",
) -> Postmortem:
    """Start a postmortem as a person does: one per incident; a hotfix one only
    when it applies, with deployment evidence and a log_root inside the
    configured roots; the start is the first line of the revision history."""
    if Postmortem.objects.filter(incident=incident).exists():
        raise ValidationError("This incident already has a postmortem.", code="exists")
    if kind == Kind.HOTFIX:
        if reason := hotfix_not_applicable_reason(incident):
            raise ValidationError({"kind": f"not_applicable: {reason}"}, code="not_applicable")
        if blocker := hotfix_blocker(incident):
            raise ValidationError(
                {
                    "kind": f"blocked: {blocker['description']}. "
                    f"{blocker['resolution_required']} "
                    f"(affected fields: {', '.join(blocker['affected_fields'])})."
                },
                code="blocked",
            )
        try:
            log_root = str(resolve_inside(log_root, list(settings.EXPORT_LOG_ROOTS)))
        except ValueError as error:
            raise ValidationError({"log_root": str(error)}, code="outside_roots") from error
    postmortem = postmortem_start(
        incident=incident, kind=kind, facilitator=facilitator, log_root=log_root
    )
    record_revision(
        postmortem,
        target="postmortem",
        version=1,
        summary=f"Started the {template_for(kind).label.lower()}",
        content=kind,
        by=by,
    )
    return postmortem


@transaction.atomic
def attachment_add(*, postmortem: Postmortem, by, upload, content_type: str, caption: str):
    """Store an uploaded image (already sniffed by the form) as supporting data."""
    attachment = Attachment(
        postmortem=postmortem,
        original_name=upload.name.rsplit("/", 1)[-1][:255],
        content_type=content_type,
        caption=caption.strip(),
        uploaded_by=by,
    )
    attachment.file.save(upload.name, upload, save=False)
    attachment.save()
    record_revision(
        postmortem,
        target=f"attachment:{attachment.pk}",
        version=1,
        summary="Attached an image",
        content=attachment.caption or attachment.original_name,
        by=by,
    )
    return attachment


@transaction.atomic
def related_incident_link(*, postmortem: Postmortem, incident: Incident, by) -> None:
    if incident.pk == postmortem.incident_id:
        raise ValidationError("An incident is not related to itself.", code="self")
    postmortem.related_incidents.add(incident)
    record_revision(
        postmortem,
        target="related",
        version=1,
        summary=f"Linked related incident {incident.ref}",
        content=incident.ref,
        by=by,
    )


@transaction.atomic
def related_incident_unlink(*, postmortem: Postmortem, incident: Incident, by) -> None:
    postmortem.related_incidents.remove(incident)
    record_revision(
        postmortem,
        target="related",
        version=1,
        summary=f"Unlinked related incident {incident.ref}",
        content=incident.ref,
        by=by,
    )


@transaction.atomic
def check_override(*, postmortem: Postmortem, check_name: str, reason: str, by) -> CheckOverride:
    """The facilitator lets a failing check stand, saying why; recorded in
    the history and in the exported quality checklist."""
    if not (by.is_superuser or by.pk == postmortem.facilitator_id):
        raise ValidationError("Only the facilitator can override a check.", code="not_facilitator")
    if not reason.strip():
        raise ValidationError("Say why this check may stand.", code="reason_required")
    override, _ = CheckOverride.objects.update_or_create(
        postmortem=postmortem,
        check_name=check_name,
        defaults={"reason": reason.strip(), "by": by, "created_at": timezone.now()},
    )
    record_revision(
        postmortem,
        target=f"check:{check_name}",
        version=postmortem.version,
        summary=f"Overrode the check {check_name}",
        content=override.reason,
        by=by,
    )
    return override


@transaction.atomic
def check_override_withdraw(*, postmortem: Postmortem, check_name: str, by) -> None:
    if postmortem.check_overrides.filter(check_name=check_name).delete()[0]:
        record_revision(
            postmortem,
            target=f"check:{check_name}",
            version=postmortem.version,
            summary=f"Withdrew the override of {check_name}",
            content="",
            by=by,
        )
