"""The real services the product runs on at scale: PostgreSQL, Redis, a Celery worker.

Locally these skip, with the reason, when the service is absent; CI runs them
with REQUIRE_SERVICES=1 against real ones, where a missing service fails.
"""

import io
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from incidents.models import Incident, TimelineEvent
from postmortems.celery import app as celery_app
from postmortems.tasks import ping_worker
from tests.conftest import need
from tests.factories import IncidentFactory, TimelineEventFactory

BASE_DIR = Path(settings.BASE_DIR)
OWN_APPS = ("incidents", "postmortems", "actions")
START_WORKER = "start one with `.venv/bin/celery -A postmortems worker` and the same REDIS_URL"


@pytest.fixture
def set_eager():
    """Switch Celery's eager mode for one test (monkeypatch cannot restore celery's conf)."""
    previous = celery_app.conf.task_always_eager

    def set_eager(value: bool) -> None:
        celery_app.conf.task_always_eager = value

    yield set_eager
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def not_eager(set_eager):
    """Send tasks through the broker even if something made this process eager."""
    if not settings.REDIS_URL:
        need("Redis and a Celery worker", f"REDIS_URL is not set; set it and {START_WORKER}")
    set_eager(False)
    if not celery_app.control.ping(timeout=2):
        need("A Celery worker", f"none answered a ping through REDIS_URL; {START_WORKER}")


@pytest.mark.services
def test_a_task_sent_through_redis_runs_in_a_separate_worker_process(not_eager):
    result = ping_worker.apply_async()
    answer = result.get(timeout=30)

    assert result.successful()
    assert answer["pid"] != os.getpid()
    assert answer["database"] == "ok"


@pytest.mark.services
def test_check_worker_prints_the_answer_of_a_worker(not_eager):
    out = io.StringIO()
    call_command("check_worker", "--timeout", "30", stdout=out)

    answer = json.loads(out.getvalue().splitlines()[-1])
    assert answer["pid"] != os.getpid()
    assert answer["database"] == "ok"


@pytest.mark.django_db
def test_check_worker_runs_eagerly_without_redis(set_eager):
    set_eager(True)
    out = io.StringIO()
    call_command("check_worker", stdout=out)

    note, printed = out.getvalue().splitlines()
    answer = json.loads(printed)
    assert "runs eagerly in this process" in note
    assert answer["pid"] == os.getpid()
    assert answer["database"] == "ok"


def test_check_worker_fails_clearly_when_no_worker_answers(set_eager, monkeypatch):
    class Unanswered:
        def get(self, timeout: float) -> None:
            raise CeleryTimeoutError

    set_eager(False)
    monkeypatch.setattr(ping_worker, "apply_async", lambda **kwargs: Unanswered())

    with pytest.raises(CommandError, match=r"No Celery worker answered within 1\.5 s"):
        call_command("check_worker", "--timeout", "1.5", stdout=io.StringIO())


@pytest.mark.services
def test_redis_answers_a_ping():
    if not settings.REDIS_URL:
        need("Redis", "REDIS_URL is not set")
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=5)
    try:
        assert client.ping() is True
    finally:
        client.close()


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        need("PostgreSQL", f"DATABASE_URL is not a postgres:// URL (this run: {connection.vendor})")


@pytest.mark.services
@pytest.mark.django_db
def test_migrations_apply_on_postgres(on_postgres):
    executor = MigrationExecutor(connection)

    assert connection.vendor == "postgresql"
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


@pytest.mark.services
@pytest.mark.django_db
def test_postgres_rejects_a_second_resolved_milestone(on_postgres):
    incident = IncidentFactory()
    TimelineEventFactory(incident=incident, milestone=TimelineEvent.Milestone.RESOLVED)

    with (
        pytest.raises(IntegrityError, match="incidents_timelineevent_milestone_once"),
        transaction.atomic(),
    ):
        TimelineEventFactory(incident=incident, milestone=TimelineEvent.Milestone.RESOLVED)
    # Other milestones, and plain entries, are still welcome.
    TimelineEventFactory(incident=incident, milestone=TimelineEvent.Milestone.VERIFIED)
    TimelineEventFactory(incident=incident)
    TimelineEventFactory(incident=incident)


@pytest.mark.services
@pytest.mark.django_db
def test_postgres_enforces_check_constraints(on_postgres):
    incident = IncidentFactory()

    with (
        pytest.raises(IntegrityError, match="incidents_incident_severity_valid"),
        transaction.atomic(),
    ):
        Incident.objects.filter(pk=incident.pk).update(severity="SEV-9")


@pytest.mark.django_db
def test_every_declared_constraint_and_index_exists_in_the_database():
    """Whatever the database of this run, migrations created what the models declare."""
    missing = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if model._meta.app_label not in OWN_APPS:
                continue
            table = model._meta.db_table
            present = connection.introspection.get_constraints(cursor, table)
            declared = [*model._meta.constraints, *model._meta.indexes]
            missing += [f"{table}.{c.name}" for c in declared if c.name not in present]
    assert missing == []


def test_migrations_apply_to_a_fresh_sqlite_database(tmp_path):
    database = tmp_path / "fresh.sqlite3"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
    }

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    migrated = manage("migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    # Nothing left to apply, and the models need no migration that is not written yet.
    for check in (("migrate", "--check"), ("makemigrations", "--check", "--dry-run")):
        result = manage(*check)
        assert result.returncode == 0, result.stdout + result.stderr

    tables = {
        name for (name,) in sqlite3.connect(database).execute("SELECT name FROM sqlite_master")
    }
    assert {"incidents_incident", "incidents_timelineevent", "actions_actionitem"} <= tables
