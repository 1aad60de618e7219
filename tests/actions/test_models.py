import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from actions.models import ActionItem, Reminder
from tests.factories import ActionItemFactory, PostmortemFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 24)


def test_numbers_show_as_ai_refs_and_are_unique_per_postmortem():
    postmortem = PostmortemFactory()
    first = ActionItemFactory(postmortem=postmortem, number=1)
    ActionItemFactory(number=1)  # another postmortem's AI-001 is fine
    assert first.ref == "AI-001"
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItemFactory(postmortem=postmortem, number=1)


def test_done_requires_a_confirmed_verification_signal():
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItemFactory(status=ActionItem.Status.DONE)
    item = ActionItemFactory(
        status=ActionItem.Status.DONE, verified_by=UserFactory(), verified_at=timezone.now()
    )
    assert item.status == "done"


def test_wont_do_requires_a_reason():
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItemFactory(status=ActionItem.Status.WONT_DO)
    ActionItemFactory(status=ActionItem.Status.WONT_DO, wont_do_reason="Superseded by AI-004.")


def test_overdue_means_open_and_past_its_due_date():
    late = ActionItemFactory(due_date=TODAY - dt.timedelta(days=3))
    ActionItemFactory(due_date=TODAY)  # due today is not overdue yet
    ActionItemFactory(due_date=None)
    ActionItemFactory(
        due_date=TODAY - dt.timedelta(days=9),
        status=ActionItem.Status.DONE,
        verified_by=UserFactory(),
        verified_at=timezone.now(),
    )
    assert list(ActionItem.objects.overdue(TODAY)) == [late]
    assert late.days_overdue(TODAY) == 3


def test_due_within_a_week():
    soon = ActionItemFactory(due_date=TODAY + dt.timedelta(days=7))
    ActionItemFactory(due_date=TODAY + dt.timedelta(days=8))
    ActionItemFactory(due_date=TODAY - dt.timedelta(days=1))
    assert list(ActionItem.objects.due_within(TODAY, 7)) == [soon]


def test_an_owner_is_a_person_or_a_team():
    person = ActionItemFactory()
    team = ActionItemFactory(owner=None, owner_team="Platform")
    assert person.owner_label == person.owner.get_full_name()
    assert team.owner_label == "Platform"
    assert list(ActionItem.objects.owned_by(person.owner)) == [person]


def test_a_snooze_needs_a_date_and_a_reason():
    item = ActionItemFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItem.objects.filter(pk=item.pk).update(
            snoozed_until=TODAY, snooze_reason="", snoozed_at=timezone.now()
        )
    assert item.snooze(until=TODAY, reason="Vendor fix due Friday") is True
    assert item.snoozed_on(TODAY - dt.timedelta(days=1))
    assert not item.snoozed_on(TODAY)  # back in the reminders on the day itself


def test_one_digest_per_person_and_day_and_one_escalation_per_missed_date():
    user, item = UserFactory(), ActionItemFactory(due_date=TODAY)
    Reminder.objects.create(kind="digest", recipient=user, day=TODAY, claim=uuid.uuid4())
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(kind="digest", recipient=user, day=TODAY, claim=uuid.uuid4())
    escalation = {"kind": "escalation", "recipient": user, "action": item, "missed_due_date": TODAY}
    Reminder.objects.create(day=TODAY, claim=uuid.uuid4(), **escalation)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(day=TODAY + dt.timedelta(days=1), claim=uuid.uuid4(), **escalation)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(kind="escalation", recipient=user, day=TODAY, claim=uuid.uuid4())
