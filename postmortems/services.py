from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.models import Incident
from postmortems.kinds import Kind, template_for
from postmortems.models import ImpactField, Postmortem, Revision, Section, SignOff
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


def _record(postmortem: Postmortem, *, target: str, version: int, summary: str, content: str, by):
    Revision.objects.create(
        postmortem=postmortem,
        target=target,
        version=version,
        summary=summary,
        content=content,
        author=by,
    )


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
    _record(
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
    _record(
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
    finalized_at = current.finalized_at
    if to in (Postmortem.State.FINAL, Postmortem.State.CLOSED):
        finalized_at = finalized_at or timezone.now()
    else:
        finalized_at = None
    saved = save_if_current(current, version=version, state=to, finalized_at=finalized_at)
    _record(
        saved,
        target="workflow",
        version=saved.version,
        summary=f"{current.get_state_display()} → {saved.get_state_display()}",
        content=to,
        by=by,
    )
    return saved
