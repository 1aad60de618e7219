import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from incidents.models import Incident, TimelineEvent
from incidents.pulse import default_checklist
from incidents.refs import incident_ref, parse_incident_ref

# Concurrent declares on the same day race for the next number; the unique
# ref makes the loser retry with the number after the winner's.
_REF_ATTEMPTS = 20


def next_incident_number(day: dt.date) -> int:
    refs = Incident.objects.declared_on(day).values_list("ref", flat=True)
    return max((parse_incident_ref(ref)[1] for ref in refs), default=0) + 1


def incident_declare(
    *,
    title: str,
    severity: str,
    impact_category: str,
    detection_method: str,
    declared_by: AbstractBaseUser | None,
    started_at: dt.datetime | None = None,
    detected_at: dt.datetime | None = None,
    summary: str = "",
    is_hotfix: bool = False,
    change_id: str = "",
    restricted: bool = False,
    responders: list[AbstractBaseUser] | tuple[AbstractBaseUser, ...] = (),
) -> Incident:
    """Open an incident with its ref, its first milestones and the pulse checklist."""
    now = timezone.now()
    detected_at = detected_at or now
    started_at = started_at or detected_at
    day = timezone.localdate(detected_at)
    for _ in range(_REF_ATTEMPTS):
        try:
            with transaction.atomic():
                incident = Incident.objects.create(
                    ref=incident_ref(day, next_incident_number(day)),
                    title=title,
                    severity=severity,
                    impact_category=impact_category,
                    detection_method=detection_method,
                    summary=summary,
                    is_hotfix=is_hotfix,
                    change_id=change_id,
                    restricted=restricted,
                    declared_by=declared_by,
                    created_at=detected_at,
                )
                break
        except IntegrityError:
            if Incident.objects.filter(change_id=change_id).exclude(change_id="").exists():
                raise
            continue
    else:
        raise IntegrityError(f"Could not allocate an incident ref for {day} after retries.")
    with transaction.atomic():
        if responders:
            incident.responders.set(responders)
        if declared_by is not None and restricted:
            incident.responders.add(declared_by)
        TimelineEvent.objects.bulk_create(
            [
                TimelineEvent(
                    incident=incident,
                    occurred_at=started_at,
                    kind=TimelineEvent.Kind.FACT,
                    milestone=TimelineEvent.Milestone.STARTED,
                    text="Impact started",
                    author=declared_by,
                ),
                TimelineEvent(
                    incident=incident,
                    occurred_at=detected_at,
                    kind=TimelineEvent.Kind.FACT,
                    milestone=TimelineEvent.Milestone.DETECTED,
                    text=f"Detected: {incident.get_detection_method_display()}",
                    author=declared_by,
                ),
            ]
        )
        incident.checklist.bulk_create(default_checklist(incident))
    return incident
