"""Celery tasks of the project package: the worker check and the postmortem export."""

import os
import random
import socket

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, connection

from postmortems.export.files import LockTimeout
from postmortems.export.git import GitError
from postmortems.export.services import export_fail, export_run


def worker_status() -> dict[str, str | int]:
    """Which host and process this is, and whether it reaches the default database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except DatabaseError as exc:
        database = f"error: {exc}"
    return {"hostname": socket.gethostname(), "pid": os.getpid(), "database": database}


@shared_task
def ping_worker() -> dict[str, str | int]:
    """Answer from whichever worker takes it; `manage.py check_worker` sends it."""
    return worker_status()


# Errors worth another try: the disk, git, the repository lock, the database.
TRANSIENT = (OSError, DatabaseError, GitError, LockTimeout)
EXPORT_MAX_RETRIES = settings.EXPORT_MAX_ATTEMPTS - 1


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=EXPORT_MAX_RETRIES)
def export_postmortem(self, run_id: int) -> dict:
    """Export run ``run_id`` (postmortems.export.services); its twin is
    ``manage.py export_postmortem``. Acknowledged only when done, so a killed
    worker's run is delivered again; every step of it is safe to repeat."""
    try:
        return export_run(run_id)
    except TRANSIENT as error:
        if self.request.retries >= self.max_retries:
            export_fail(run_id, f"Gave up after {self.request.retries + 1} attempts: {error}")
            raise
        # 5 s, 10 s, 20 s ... with jitter, so workers retrying together spread out.
        countdown = min(600, 5 * 2**self.request.retries) + random.uniform(0, 2)
        raise self.retry(exc=error, countdown=countdown) from error
    except Exception as error:
        export_fail(run_id, f"{type(error).__name__}: {error}")
        raise
