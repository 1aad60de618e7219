"""A task is queued only when the transaction that asks for it commits: an
export requested in a transaction that then fails sends nothing to the broker
and runs nothing (``delay_on_commit``). Each case has its committed twin, so
the check would see a task if one were sent."""

import contextlib
import json
import uuid

import pytest
import redis
from celery.app import routes
from django.db import transaction

from postmortems import tasks
from postmortems.celery import app as celery_app
from postmortems.export.services import export_request
from postmortems.models import ExportRun
from tests.conftest import need
from tests.factories import PostmortemFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


def request_export_then(postmortem, *, fail: bool) -> None:
    """Ask for an export in a transaction, then fail it or let it commit."""
    with contextlib.suppress(Rollback), transaction.atomic():
        export_request(postmortem=postmortem, by=None)
        if fail:
            raise Rollback


def test_eager_a_rolled_back_export_request_runs_no_task(monkeypatch):
    ran: list[int] = []
    monkeypatch.setattr(tasks, "export_run", ran.append)
    postmortem = PostmortemFactory()

    request_export_then(postmortem, fail=True)

    assert ran == []
    assert not ExportRun.objects.exists()

    request_export_then(postmortem, fail=False)

    assert ran == [ExportRun.objects.get().pk]


@pytest.mark.services
def test_a_rolled_back_export_request_sends_nothing_to_the_broker(monkeypatch, settings):
    if not settings.REDIS_URL:
        need("Redis", "REDIS_URL is not set; this test reads the broker's queue")
    queue = f"rollback-test-{uuid.uuid4().hex[:10]}"  # no worker reads it
    monkeypatch.setattr(
        celery_app.amqp, "_rtable", routes.prepare({"postmortems.tasks.*": {"queue": queue}})
    )
    monkeypatch.setattr(celery_app.amqp, "router", celery_app.amqp.Router())
    broker = redis.Redis.from_url(settings.REDIS_URL)
    postmortem = PostmortemFactory()
    eager, celery_app.conf.task_always_eager = celery_app.conf.task_always_eager, False
    try:
        request_export_then(postmortem, fail=True)

        assert broker.llen(queue) == 0
        assert not ExportRun.objects.exists()

        request_export_then(postmortem, fail=False)

        assert broker.llen(queue) == 1
        message = json.loads(broker.lindex(queue, 0))
        assert message["headers"]["task"] == "postmortems.tasks.export_postmortem"
        assert message["headers"]["argsrepr"] == f"({ExportRun.objects.get().pk},)"
    finally:
        celery_app.conf.task_always_eager = eager
        broker.delete(queue)
