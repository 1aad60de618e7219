import datetime as dt

from django.core.management.base import BaseCommand, CommandParser

from actions.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Send the day's reminder digests to action owners and escalate items more than a "
        "week overdue, in this process. Safe to run again: nothing is sent twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--day",
            type=dt.date.fromisoformat,
            help="The day to send for, YYYY-MM-DD (default: today).",
        )

    def handle(self, *args: object, day: dt.date | None, **options: object) -> None:
        outcome = send_reminders(today=day)
        self.stdout.write(
            f"{outcome.day}: {outcome.digests} digest(s) and {outcome.escalations} "
            f"escalation(s) sent; {outcome.failed} failed, {outcome.waiting} held by another run."
        )
