import datetime as dt
import io
import uuid
from unittest import mock

import pytest
from celery.exceptions import Retry
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from actions import reminders
from actions.models import ActionItem, Reminder
from actions.tasks import send_action_reminders
from postmortems.celery import app
from tests.factories import (
    ActionItemFactory,
    IncidentFactory,
    PostmortemFactory,
    RoleAssignmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 24)


def days_from_today(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


def run() -> reminders.Outcome:
    return reminders.send_reminders(today=TODAY)


def sent_to(address: str) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if message.to == [address]]


def test_running_twice_the_same_day_sends_each_owner_exactly_one_digest(mailoutbox):
    ada, grace = UserFactory(first_name="Ada"), UserFactory()
    ActionItemFactory(owner=ada, title="Late alert", due_date=days_from_today(-2))
    ActionItemFactory(owner=ada, title="Runbook step", due_date=days_from_today(3))
    ActionItemFactory(owner=grace, title="Canary config", due_date=days_from_today(7))

    send_action_reminders.delay(TODAY.isoformat())
    send_action_reminders.delay(TODAY.isoformat())

    assert len(mailoutbox) == 2
    [digest] = sent_to(ada.email)
    assert digest.subject == "Your follow-up actions: 1 overdue, 1 due within 7 days"
    assert digest.body.startswith("Hello Ada,")
    assert "Late alert" in digest.body
    assert "2 days overdue" in digest.body
    assert "Runbook step" in digest.body
    assert f"{settings.SITE_URL}/actions/?mine=1" in digest.body
    assert len(sent_to(grace.email)) == 1
    assert Reminder.objects.filter(kind="digest", sent_at__isnull=False).count() == 2
    # A new day is a new digest.
    reminders.send_reminders(today=days_from_today(1))
    assert len(mailoutbox) == 4


def test_a_digest_holds_only_the_owners_open_overdue_and_soon_due_items(mailoutbox):
    owner = UserFactory()
    ActionItemFactory(owner=owner, title="In a week", due_date=days_from_today(7))
    ActionItemFactory(owner=owner, title="In eight days", due_date=days_from_today(8))
    ActionItemFactory(owner=owner, title="No date", due_date=None)
    ActionItemFactory(
        owner=owner,
        title="Done already",
        due_date=days_from_today(-1),
        status=ActionItem.Status.DONE,
        verified_by=owner,
        verified_at=timezone.now(),
    )
    ActionItemFactory(owner=UserFactory(), title="Someone else's", due_date=days_from_today(1))
    run()
    [digest] = sent_to(owner.email)
    assert "In a week" in digest.body
    for absent in ("In eight days", "No date", "Done already", "Someone else's"):
        assert absent not in digest.body


def test_nobody_gets_a_digest_with_nothing_in_it(mailoutbox):
    ActionItemFactory(due_date=days_from_today(20))
    assert run().digests == 0
    assert mailoutbox == []


def test_team_owned_items_get_no_digest(mailoutbox):
    ActionItemFactory(owner=None, owner_team="Platform", due_date=days_from_today(-1))
    assert run().digests == 0


def test_inactive_owners_and_owners_without_email_get_nothing(mailoutbox):
    ActionItemFactory(owner=UserFactory(is_active=False), due_date=days_from_today(-1))
    ActionItemFactory(owner=UserFactory(email=""), due_date=days_from_today(-1))
    assert run().digests == 0
    assert mailoutbox == []


def test_an_owner_is_not_told_about_a_restricted_incident_they_may_not_see(mailoutbox):
    owner = UserFactory()
    secret = PostmortemFactory(incident=IncidentFactory(restricted=True, title="Key leak"))
    ActionItemFactory(owner=owner, postmortem=secret, title="Rotate keys", due_date=TODAY)
    ActionItemFactory(owner=owner, title="Public item", due_date=TODAY)
    named = UserFactory()
    secret_too = PostmortemFactory(incident=IncidentFactory(restricted=True, responders=[named]))
    ActionItemFactory(owner=named, postmortem=secret_too, title="Named item", due_date=TODAY)
    run()
    [digest] = sent_to(owner.email)
    assert "Public item" in digest.body
    assert "Rotate keys" not in digest.body
    assert "Named item" in sent_to(named.email)[0].body


def test_a_snoozed_item_leaves_the_digest_until_its_date(mailoutbox):
    owner = UserFactory()
    item = ActionItemFactory(owner=owner, title="Snoozed one", due_date=days_from_today(-3))
    ActionItemFactory(owner=owner, title="Other one", due_date=days_from_today(-3))
    ActionItem.objects.filter(pk=item.pk).update(
        snoozed_until=days_from_today(2), snooze_reason="Vendor", snoozed_at=timezone.now()
    )
    run()
    assert "Snoozed one" not in sent_to(owner.email)[0].body
    reminders.send_reminders(today=days_from_today(2))
    assert "Snoozed one" in sent_to(owner.email)[1].body


def test_an_item_eight_days_overdue_reaches_the_facilitator_once(mailoutbox):
    facilitator = UserFactory(first_name="Fay")
    postmortem = PostmortemFactory(facilitator=facilitator)
    ActionItemFactory(
        postmortem=postmortem,
        title="Eight days late",
        owner=UserFactory(first_name="Olu", last_name="Owner"),
        due_date=days_from_today(-8),
    )
    ActionItemFactory(
        postmortem=postmortem, owner=None, owner_team="Platform", due_date=days_from_today(-9)
    )
    ActionItemFactory(postmortem=postmortem, title="Seven days late", due_date=days_from_today(-7))

    assert run().escalations == 1
    [escalation] = sent_to(facilitator.email)
    assert escalation.subject == "Escalation: 2 follow-up actions more than a week overdue"
    assert "Eight days late" in escalation.body
    assert "owner: Olu Owner" in escalation.body
    assert "owner: Platform (team)" in escalation.body
    assert "8 days overdue" in escalation.body
    assert "Seven days late" not in escalation.body

    # Escalated once, not every day: tomorrow only the newly late item goes.
    assert reminders.send_reminders(today=days_from_today(1)).escalations == 1
    tomorrow = sent_to(facilitator.email)[1]
    assert "Seven days late" in tomorrow.body
    assert "Eight days late" not in tomorrow.body


def test_a_new_due_date_missed_again_escalates_again(mailoutbox):
    facilitator = UserFactory()
    item = ActionItemFactory(
        postmortem=PostmortemFactory(facilitator=facilitator), due_date=days_from_today(-8)
    )
    run()
    ActionItem.objects.filter(pk=item.pk).update(
        due_date=days_from_today(-7)
    )  # missed again, by 8 days tomorrow
    assert reminders.send_reminders(today=days_from_today(1)).escalations == 1
    assert len(sent_to(facilitator.email)) == 2


def test_without_a_facilitator_the_incident_commander_is_told(mailoutbox):
    incident = IncidentFactory()
    handed_over = timezone.now() - dt.timedelta(hours=1)
    RoleAssignmentFactory(  # the previous commander
        incident=incident,
        started_at=handed_over - dt.timedelta(hours=2),
        ended_at=handed_over,
    )
    commander = RoleAssignmentFactory(incident=incident, role="commander").user
    ActionItemFactory(
        postmortem=PostmortemFactory(incident=incident, facilitator=None),
        due_date=days_from_today(-8),
    )
    orphan = PostmortemFactory(facilitator=None)  # no commander either: nobody to tell
    ActionItemFactory(postmortem=orphan, due_date=days_from_today(-8))
    assert run().escalations == 1
    assert len(sent_to(commander.email)) == 1


def test_a_snoozed_item_is_not_escalated_until_its_date(mailoutbox):
    facilitator = UserFactory()
    item = ActionItemFactory(
        postmortem=PostmortemFactory(facilitator=facilitator), due_date=days_from_today(-10)
    )
    item.snooze(until=days_from_today(3), reason="Waiting for the vendor")
    run()
    assert sent_to(facilitator.email) == []
    reminders.send_reminders(today=days_from_today(3))
    [escalation] = sent_to(facilitator.email)
    assert "Waiting for the vendor" in escalation.body


def test_a_claim_left_by_a_dead_run_is_taken_over_and_sent_once(mailoutbox):
    owner = UserFactory()
    ActionItemFactory(owner=owner, due_date=TODAY)
    # A run claimed the digest 20 minutes ago, then its worker was killed.
    Reminder.objects.create(
        kind="digest",
        recipient=owner,
        day=TODAY,
        claim=uuid.uuid4(),
        claimed_at=timezone.now() - dt.timedelta(minutes=20),
    )
    assert run().digests == 1
    assert run().digests == 0
    assert len(mailoutbox) == 1


def test_a_fresh_claim_of_another_run_is_left_to_it(mailoutbox):
    owner = UserFactory()
    ActionItemFactory(owner=owner, due_date=TODAY)
    Reminder.objects.create(kind="digest", recipient=owner, day=TODAY, claim=uuid.uuid4())
    outcome = run()
    assert (outcome.digests, outcome.waiting) == (0, 1)
    assert mailoutbox == []


def test_a_failed_send_is_released_for_the_retry(mailoutbox):
    owner, other = UserFactory(), UserFactory()
    ActionItemFactory(owner=owner, due_date=TODAY)
    ActionItemFactory(owner=other, due_date=TODAY)
    real_send = mail.EmailMessage.send

    def refuse_owner(message, *args, **kwargs):
        if message.to == [owner.email]:
            raise ConnectionRefusedError("SMTP down")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(mail.EmailMessage, "send", refuse_owner):
        outcome = run()
    assert (outcome.digests, outcome.failed) == (1, 1)
    assert not Reminder.objects.filter(recipient=owner).exists()
    assert run().digests == 1
    assert [m.to for m in mailoutbox] == [[other.email], [owner.email]]


def test_the_task_retries_the_same_day_while_something_is_unsent():
    outcome = reminders.Outcome(day=TODAY, waiting=1)
    with (
        mock.patch("actions.tasks.send_reminders", return_value=outcome),
        mock.patch.object(send_action_reminders, "retry", side_effect=Retry) as retry,
        pytest.raises(Retry),
    ):
        send_action_reminders()  # called directly: not eager, so it may retry
    assert retry.call_args.kwargs["args"] == [TODAY.isoformat()]
    assert retry.call_args.kwargs["countdown"] >= reminders.RECLAIM_AFTER.total_seconds()


@pytest.mark.parametrize("items", [1, 6])
def test_queries_grow_with_emails_not_with_items(mailoutbox, django_assert_num_queries, items):
    facilitator = UserFactory()
    for owner in UserFactory.create_batch(2):
        for postmortem in PostmortemFactory.create_batch(items, facilitator=facilitator):
            ActionItemFactory(owner=owner, postmortem=postmortem, due_date=days_from_today(-9))
    # plan (2) and recipients, claim, take over, read claims, count others' claims;
    # then per email (2 digests, 1 escalation) a send and its mark.
    with django_assert_num_queries(7 + 3):
        run()
    assert len(mailoutbox) == 3


def test_beat_sends_the_reminders_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["action-reminders"]
    assert entry["task"] in app.tasks
    assert entry["schedule"] == crontab(hour=settings.ACTION_REMINDER_HOUR, minute=0)


def test_the_management_command_is_the_tasks_twin(mailoutbox):
    ActionItemFactory(due_date=TODAY)
    out = io.StringIO()
    call_command("send_action_reminders", "--day", TODAY.isoformat(), stdout=out)
    assert out.getvalue().startswith("2026-11-24: 1 digest(s) and 0 escalation(s) sent")
    call_command("send_action_reminders", "--day", TODAY.isoformat(), stdout=out)
    assert len(mailoutbox) == 1
