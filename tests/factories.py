"""factory-boy factories, one per model; every test builds its data here."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from actions.models import ActionItem
from incidents.models import (
    ChecklistItem,
    Checkpoint,
    ImpactScope,
    Incident,
    RoleAssignment,
    StatusUpdate,
    TimelineEvent,
)
from incidents.refs import incident_ref
from postmortems.models import (
    Attachment,
    ContributingFactor,
    ExportRun,
    ImpactField,
    Postmortem,
    Revision,
    Section,
    SignOff,
    Why,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident
        skip_postgeneration_save = True

    ref = factory.Sequence(lambda n: incident_ref(dt.date(2026, 11, 1), n + 1))
    title = factory.Faker("sentence", nb_words=5)
    severity = Incident.Severity.SEV2
    state = Incident.State.ACTIVE
    impact_category = Incident.ImpactCategory.PERFORMANCE
    detection_method = Incident.DetectionMethod.MONITORING
    declared_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def responders(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.responders.set(extracted)


class TimelineEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineEvent

    incident = factory.SubFactory(IncidentFactory)
    occurred_at = factory.LazyFunction(timezone.now)
    kind = TimelineEvent.Kind.FACT
    text = factory.Faker("sentence")
    actor = "On-call engineer"
    source = "https://chat.example.com/archives/C01/p1"


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    incident = factory.SubFactory(IncidentFactory)
    role = RoleAssignment.Role.COMMANDER
    user = factory.SubFactory(UserFactory)


class StatusUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusUpdate

    incident = factory.SubFactory(IncidentFactory)
    posted_at = factory.LazyFunction(timezone.now)
    known = "Checkout requests fail for some users."
    unknown = "Whether retries succeed."
    impact = "About 10% of checkouts in EU."
    mitigation = "Rolling back the last deploy."
    next_update_due = factory.LazyAttribute(lambda s: s.posted_at + dt.timedelta(minutes=30))


class CheckpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Checkpoint

    incident = factory.SubFactory(IncidentFactory)
    state = "Mitigated by rollback; monitoring."
    hypothesis = "Connection pool exhaustion after the config change."
    customer_impact = "None since 14:20."
    in_flight_actions = "Verifying pool metrics."
    comms_cadence = "Every 30 minutes"


class ImpactScopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImpactScope

    incident = factory.SubFactory(IncidentFactory)
    user_group = "EU checkout customers"
    fault_domain = "eu-west-1"
    dependency = "payments-db"
    recent_change = "deploy 14:02"


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    incident = factory.SubFactory(IncidentFactory)
    stage = ChecklistItem.Stage.DETECTION
    position = factory.Sequence(lambda n: n)
    text = "Confirm the issue exists (replicate or observe)."


class PostmortemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Postmortem

    incident = factory.SubFactory(IncidentFactory)
    kind = Postmortem.Kind.FULL
    facilitator = factory.SubFactory(UserFactory)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    postmortem = factory.SubFactory(PostmortemFactory)
    key = factory.Sequence(lambda n: f"section-{n}")
    title = "Executive Summary"
    position = factory.Sequence(lambda n: n)
    body = "Checkout failed for 10% of EU users for 42 minutes."


class ImpactFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImpactField

    postmortem = factory.SubFactory(PostmortemFactory)
    key = factory.Sequence(lambda n: f"field-{n}")
    value = "12%"


class ContributingFactorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContributingFactor

    postmortem = factory.SubFactory(PostmortemFactory)
    layer = ContributingFactor.Layer.TECHNICAL_TRIGGER
    description = "The error path did not release pooled connections."


class WhyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Why

    postmortem = factory.SubFactory(PostmortemFactory)
    position = factory.Sequence(lambda n: n)
    question = "Why did the service fail?"
    answer = "Because the connection pool was exhausted."


class SignOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignOff

    postmortem = factory.SubFactory(PostmortemFactory)
    role = factory.Sequence(lambda n: f"Reviewer {n}")


class RevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Revision

    postmortem = factory.SubFactory(PostmortemFactory)
    target = "section:executive_summary"
    version = 1
    summary = "Edited Executive Summary"
    author = factory.SubFactory(UserFactory)


class ExportRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExportRun

    postmortem = factory.SubFactory(PostmortemFactory)


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    postmortem = factory.SubFactory(PostmortemFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = "Alert on connection pool saturation above 80%"
    owner = factory.SubFactory(UserFactory)
    priority = ActionItem.Priority.P1
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=7))
    category = ActionItem.Category.DETECT
    verification_signal = "Done when the alert fires in the staging game day."


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    postmortem = factory.SubFactory(PostmortemFactory)
    file = factory.django.FileField(filename="error-rate.png", data=b"\x89PNG\r\n\x1a\n")
    original_name = "error-rate.png"
    content_type = "image/png"
    caption = "Error rate during the incident"


def complete_postmortem(kind: str = Postmortem.Kind.FULL, **incident_fields) -> Postmortem:
    """A postmortem that passes every check (postmortems/checks): a test then
    breaks one thing and sees that check alone fail."""
    from postmortems.services import postmortem_start

    if kind == Postmortem.Kind.HOTFIX:
        incident_fields = {
            "is_hotfix": True,
            "change_id": "CHG-20261124-pool-fix",
        } | incident_fields
    incident = IncidentFactory(**incident_fields)
    now = timezone.now()
    milestones = ["started", "detected", "triaged", "mitigated", "deployed", "resolved"]
    for minutes, milestone in zip(range(-150, 0, 25), milestones, strict=False):
        TimelineEventFactory(
            incident=incident,
            occurred_at=now + dt.timedelta(minutes=minutes),
            milestone=milestone,
            text=f"The service was {milestone}",
            source=f"https://alerts.example.com/{milestone}",
        )
    RoleAssignmentFactory(incident=incident)
    StatusUpdateFactory(incident=incident, posted_at=now - dt.timedelta(minutes=100))
    ImpactScopeFactory(incident=incident)
    postmortem = postmortem_start(incident=incident, kind=kind, facilitator=UserFactory())
    postmortem.impact_fields.update(value="About 1,200 checkouts")
    postmortem.sections.update(body="The pool limit dropped from 200 to 20 with the config change.")
    layers = ["technical_trigger", "detection_gap", "rollout_control_gap"]
    for layer in layers:
        factor = ContributingFactorFactory(
            postmortem=postmortem,
            layer=layer,
            status=ContributingFactor.Status.VERIFIED,
            description=f"The {layer.replace('_', ' ')} let the bad config through.",
        )
        ActionItemFactory(
            postmortem=postmortem,
            factor=factor,
            title=f"Add a guard for the {layer.replace('_', ' ')}",
            owner_team="Payments SRE",
            due_date=now.date() + dt.timedelta(days=14),
            verification_signal="Done when CI rejects a pool config without a minimum size",
        )
    return postmortem
