import datetime as dt
from dataclasses import asdict

from celery import shared_task

from actions.reminders import RECLAIM_AFTER, send_reminders


@shared_task(bind=True, max_retries=8)
def send_action_reminders(self, day: str | None = None) -> dict[str, int | str]:
    """The daily digests and escalations (beat runs it; `manage.py
    send_action_reminders` is its twin). ``day`` is an ISO date, today if absent."""
    outcome = send_reminders(today=dt.date.fromisoformat(day) if day else None)
    if (outcome.failed or outcome.waiting) and not self.request.is_eager:
        # Unsent: a mail server error, or claims of a run that may have died
        # and can be taken over after RECLAIM_AFTER. Same day on the retry,
        # even past midnight.
        raise self.retry(
            args=[day or outcome.day.isoformat()],
            countdown=RECLAIM_AFTER.total_seconds() + 60,
        )
    return asdict(outcome) | {"day": outcome.day.isoformat()}  # JSON for the result store
