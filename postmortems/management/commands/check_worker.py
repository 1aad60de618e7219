import json
from urllib.parse import urlsplit

from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from kombu.exceptions import OperationalError

from postmortems.celery import app
from postmortems.tasks import ping_worker


class Command(BaseCommand):
    help = (
        "Send the ping_worker task and print the answer of the worker that ran it: "
        "host, process id and database status. Fails when no worker answers in time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--timeout",
            type=float,
            default=10.0,
            help="Seconds to wait for a worker's answer (default: 10).",
        )

    def handle(self, *args: object, timeout: float, **options: object) -> None:
        if app.conf.task_always_eager:
            self.stdout.write(
                "REDIS_URL is not set: the task runs eagerly in this process, no worker involved."
            )
        try:
            # A ping nobody took in time is dropped, not run by the next worker to start.
            answer = ping_worker.apply_async(expires=timeout).get(timeout=timeout)
        except OperationalError as exc:
            raise CommandError(f"Cannot reach the Celery broker at {_broker()}: {exc}") from exc
        except CeleryTimeoutError:
            raise CommandError(
                f"No Celery worker answered within {timeout:g} s on {_broker()}. Start one with "
                "`.venv/bin/celery -A postmortems worker` and the same REDIS_URL."
            ) from None
        self.stdout.write(json.dumps(answer, sort_keys=True))
        if answer["database"] != "ok":
            raise CommandError(f"The worker cannot reach its database: {answer['database']}")


def _broker() -> str:
    """The broker's address without its password, for messages."""
    url = urlsplit(settings.CELERY_BROKER_URL)
    return f"{url.scheme}://{url.hostname or ''}{f':{url.port}' if url.port else ''}{url.path}"
