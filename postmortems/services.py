from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from incidents.models import Incident
from postmortems.kinds import Kind, template_for
from postmortems.models import ImpactField, Postmortem, Section, SignOff


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
