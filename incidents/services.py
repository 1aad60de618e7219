import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from incidents.durations import format_duration
from incidents.models import (
    ChecklistItem,
    Checkpoint,
    ImpactScope,
    Incident,
    RoleAssignment,
    StatusUpdate,
    TimelineEvent,
    TimelineEventRevision,
)
from incidents.pulse import default_checklist
from incidents.refs import incident_ref, parse_incident_ref
from postmortems import live
from postmortems.versioning import StaleVersion, save_if_current

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


# The state follows the milestones; "closed" is the one explicit step.
def _state_from_milestones(milestones: set[str]) -> str:
    if TimelineEvent.Milestone.RESOLVED in milestones:
        return Incident.State.RESOLVED
    if TimelineEvent.Milestone.MITIGATED in milestones:
        return Incident.State.MITIGATED
    return Incident.State.ACTIVE


def incident_sync_state(*, incident: Incident) -> Incident:
    if incident.state == Incident.State.CLOSED:
        return incident
    state = _state_from_milestones(set(incident.milestone_times()))
    if state != incident.state:
        incident.state = state
        incident.save(update_fields=["state", "updated_at"])
        _changed(incident, "state", None)
    return incident


class MilestoneTaken(ValidationError):
    """The milestone belongs to another entry; the form offers to move it."""

    def __init__(self, holder: TimelineEvent):
        self.holder = holder
        super().__init__(
            {
                "milestone": ValidationError(
                    "“%(milestone)s” is already set on the entry at %(time)s (“%(text)s”). "
                    "Tick “move milestone here” to move it to this entry.",
                    code="milestone_taken",
                    params={
                        "milestone": holder.get_milestone_display(),
                        "time": f"{timezone.localtime(holder.occurred_at):%Y-%m-%d %H:%M}",
                        "text": holder.text[:60],
                    },
                )
            }
        )


def _take_milestone(
    *, incident: Incident, milestone: str, for_event: TimelineEvent | None, move: bool, by
) -> None:
    """Clear the milestone from its current holder when moving it, else refuse."""
    if not milestone:
        return
    holder = (
        incident.events.select_for_update()
        .filter(milestone=milestone)
        .exclude(pk=for_event.pk if for_event else None)
        .first()
    )
    if holder is None:
        return
    if not move:
        raise MilestoneTaken(holder)
    _record_revision(holder, by=by, change="edit")
    holder.milestone = ""
    holder.version += 1
    holder.save(update_fields=["milestone", "version"])


def _record_revision(event: TimelineEvent, *, by, change: str) -> None:
    TimelineEventRevision.objects.create(
        incident_id=event.incident_id,
        event=event if change == "edit" else None,
        version=event.version,
        occurred_at=event.occurred_at,
        kind=event.kind,
        milestone=event.milestone,
        text=event.text,
        actor=event.actor,
        source=event.source,
        changed_by=by,
        change=change,
    )


@transaction.atomic
def timeline_add(
    *,
    incident: Incident,
    author,
    text: str,
    occurred_at: dt.datetime | None = None,
    kind: str = TimelineEvent.Kind.FACT,
    milestone: str = "",
    actor: str = "",
    source: str = "",
    highlighted: bool = False,
    move_milestone: bool = False,
) -> TimelineEvent:
    _take_milestone(
        incident=incident, milestone=milestone, for_event=None, move=move_milestone, by=author
    )
    event = TimelineEvent.objects.create(
        incident=incident,
        occurred_at=occurred_at or timezone.now(),
        kind=kind,
        milestone=milestone,
        text=text,
        actor=actor,
        source=source,
        highlighted=highlighted,
        author=author,
    )
    _changed(incident, "timeline", author, event.version)
    if milestone:
        incident_sync_state(incident=incident)
    return event


_EDITABLE = ("occurred_at", "kind", "milestone", "text", "actor", "source", "highlighted")


@transaction.atomic
def timeline_edit(
    *, event: TimelineEvent, by, version: int, move_milestone: bool = False, **changes
) -> TimelineEvent:
    """Save an edit made to ``version``; StaleVersion if someone saved after it."""
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    current = TimelineEvent.objects.get(pk=event.pk)
    if all(getattr(current, field) == value for field, value in changes.items()):
        return current
    if current.version != version:
        raise StaleVersion(current)
    if changes.get("milestone"):
        _take_milestone(
            incident=current.incident,
            milestone=changes["milestone"],
            for_event=current,
            move=move_milestone,
            by=by,
        )
    _record_revision(current, by=by, change="edit")
    # The UPDATE matches only the version edited; a concurrent save makes it
    # miss, and the revision above rolls back with the transaction.
    saved = save_if_current(current, version=version, **changes)
    _changed(saved.incident, "timeline", by, saved.version)
    incident_sync_state(incident=saved.incident)
    return saved


@transaction.atomic
def timeline_delete(*, event: TimelineEvent, by, version: int) -> None:
    current = TimelineEvent.objects.get(pk=event.pk)
    if current.version != version:
        raise StaleVersion(current)
    _record_revision(current, by=by, change="delete")
    if not TimelineEvent.objects.filter(pk=current.pk, version=version).delete()[0]:
        raise StaleVersion(TimelineEvent.objects.get(pk=current.pk))
    _changed(current.incident, "timeline", by)
    incident_sync_state(incident=current.incident)


@transaction.atomic
def role_assign(*, incident: Incident, role: str, user, by) -> RoleAssignment:
    """Hand a role to someone: the previous holder's assignment ends, the
    history stays, and the timeline records the change."""
    now = timezone.now()
    current = incident.roles.select_for_update().filter(role=role, ended_at__isnull=True).first()
    if current is not None and current.user_id == user.pk:
        return current
    if current is not None:
        current.ended_at = now
        current.save(update_fields=["ended_at"])
    assignment = RoleAssignment.objects.create(
        incident=incident, role=role, user=user, started_at=now, assigned_by=by
    )
    label = RoleAssignment.Role(role).label
    previous = f" (was {_name(current.user)})" if current else ""
    timeline_add(
        incident=incident,
        author=by,
        occurred_at=now,
        kind=TimelineEvent.Kind.ROLE_CHANGE,
        text=f"{label}: {_name(user)}{previous}",
        actor=_name(by) if by else "",
    )
    _changed(incident, "roles", by)
    return assignment


@transaction.atomic
def solo_mode_declare(*, incident: Incident, user, by) -> None:
    """One person explicitly takes every role (incident-response seed)."""
    for role in RoleAssignment.Role:
        role_assign(incident=incident, role=role, user=user, by=by)
    if not incident.solo_mode:
        incident.solo_mode = True
        incident.save(update_fields=["solo_mode", "updated_at"])


@transaction.atomic
def status_update_post(
    *,
    incident: Incident,
    author,
    known: str,
    impact: str,
    next_update_due: dt.datetime,
    unknown: str = "",
    mitigation: str = "",
    posted_at: dt.datetime | None = None,
) -> StatusUpdate:
    posted_at = posted_at or timezone.now()
    if next_update_due <= posted_at:
        raise ValidationError(
            {"next_update_due": "The next update must be due after this one is posted."}
        )
    update = StatusUpdate.objects.create(
        incident=incident,
        posted_at=posted_at,
        known=known,
        unknown=unknown,
        impact=impact,
        mitigation=mitigation,
        next_update_due=next_update_due,
        author=author,
    )
    due = timezone.localtime(next_update_due)
    timeline_add(
        incident=incident,
        author=author,
        occurred_at=posted_at,
        kind=TimelineEvent.Kind.STATUS,
        text=f"Status update: {known} Impact: {impact} Next update by {due:%H:%M}.",
        actor=_name(author) if author else "",
    )
    _changed(incident, "status", author)
    return update


def checklist_tick(*, item: ChecklistItem, by, done: bool) -> ChecklistItem:
    if done == item.done:
        return item
    item.done_at = timezone.now() if done else None
    item.done_by = by if done else None
    item.save(update_fields=["done_at", "done_by"])
    _changed(item.incident, "checklist", by)
    return item


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _changed(incident: Incident, target: str, by, version: int = 0) -> None:
    """Tell every open page of the incident, after commit, which part changed."""
    live.announce(
        incident=incident.pk, target=target, version=version, actor=_name(by) if by else ""
    )


_CHECKPOINT_FIELDS = ("recorded_at", *Checkpoint.PACKET_FIELDS)


@transaction.atomic
def checkpoint_record(*, incident: Incident, author, **fields) -> Checkpoint:
    """The shift-change packet (incident-response seed), noted in the timeline
    so the handover shows where it happened."""
    unknown = set(fields) - set(_CHECKPOINT_FIELDS)
    if unknown:
        raise TypeError(f"Not a checkpoint field: {', '.join(sorted(unknown))}")
    checkpoint = Checkpoint.objects.create(incident=incident, author=author, **fields)
    timeline_add(
        incident=incident,
        author=author,
        occurred_at=checkpoint.recorded_at,
        kind=TimelineEvent.Kind.NOTE,
        text=f"Checkpoint: {checkpoint.state}",
        actor=_name(author) if author else "",
    )
    _changed(incident, "checkpoints", author)
    return checkpoint


# Only the lower severities take a cadence the responders agree on; SEV-1 and
# SEV-2 keep the seed's 30 minutes and one hour.
CADENCE_SEVERITIES = (Incident.Severity.SEV3, Incident.Severity.SEV4)


@transaction.atomic
def incident_set_status_cadence(*, incident: Incident, minutes: int | None, by) -> Incident:
    """Agree on the minutes between status updates; None goes back to the
    severity's default. The change is a decision in the timeline."""
    if incident.severity not in CADENCE_SEVERITIES:
        raise ValidationError(
            {
                "status_cadence_minutes": f"{incident.severity} updates every "
                f"{format_duration(incident.status_cadence)}; only SEV-3 and SEV-4 take "
                "an agreed cadence."
            },
            code="fixed_cadence",
        )
    if minutes is not None and minutes <= 0:
        raise ValidationError({"status_cadence_minutes": "The cadence is a positive number."})
    if incident.status_cadence_minutes == minutes:
        return incident
    incident.status_cadence_minutes = minutes
    incident.save(update_fields=["status_cadence_minutes", "updated_at"])
    every = format_duration(incident.status_cadence)
    default = "" if minutes else f" (the {incident.severity} default)"
    timeline_add(
        incident=incident,
        author=by,
        kind=TimelineEvent.Kind.DECISION,
        text=f"Status updates every {every}{default}.",
        actor=_name(by) if by else "",
    )
    _changed(incident, "status", by)
    return incident


@transaction.atomic
def incident_close(*, incident: Incident, by) -> Incident:
    """The one explicit step of the state: a resolved incident is closed by a
    person; the state never leaves "closed" again (incident_sync_state)."""
    current = Incident.objects.select_for_update().get(pk=incident.pk)
    if current.state != Incident.State.RESOLVED:
        raise ValidationError(
            "Only a resolved incident can be closed: set the Resolved milestone first.",
            code="not_resolved",
        )
    current.state = Incident.State.CLOSED
    current.save(update_fields=["state", "updated_at"])
    timeline_add(
        incident=current,
        author=by,
        kind=TimelineEvent.Kind.NOTE,
        text="Incident closed.",
        actor=_name(by) if by else "",
    )
    _changed(current, "state", by)
    incident.state = current.state
    return current


def impact_scope_save(*, row: ImpactScope, by) -> ImpactScope:
    if row.pk is None:
        last = row.incident.impact_scopes.order_by("-position").first()
        row.position = last.position + 1 if last else 0
    row.save()
    _changed(row.incident, "impact", by)
    return row


def impact_scope_delete(*, row: ImpactScope, by) -> None:
    row.delete()
    _changed(row.incident, "impact", by)
