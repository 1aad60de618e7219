"""Operational Celery tasks of the project package; domain tasks live in their apps."""

import os
import socket

from celery import shared_task
from django.db import DatabaseError, connection


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
