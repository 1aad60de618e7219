import asyncio
import threading

import pytest
from django.db import transaction

from postmortems import live
from postmortems.live import Event, announce, listen, publish
from tests.conftest import need


async def first_events(incident: int, count: int, trigger) -> list[Event]:
    """Subscribe, run ``trigger`` on another thread, and collect events."""
    received: list[Event] = []
    stream = listen(incident, timeout=0.2)
    await anext(stream)  # subscribed once the first quiet period has passed
    thread = threading.Thread(target=trigger)
    thread.start()
    async for event in stream:
        if event is not None:
            received.append(event)
        if len(received) == count:
            break
    await stream.aclose()
    thread.join()
    return received


def test_events_reach_listeners_of_their_incident_only(settings):
    settings.REDIS_URL = ""

    def trigger():
        publish(Event(incident=2, target="timeline", version=1))
        publish(Event(incident=1, target="timeline", version=7, actor="Ana"))

    events = asyncio.run(asyncio.wait_for(first_events(1, 1, trigger), 5))
    assert events == [Event(incident=1, target="timeline", version=7, actor="Ana")]
    assert live.broadcaster.count() == 0  # the closed stream unsubscribed


@pytest.mark.django_db(transaction=True)
def test_a_change_is_announced_after_commit_and_never_after_rollback(settings):
    settings.REDIS_URL = ""

    def trigger():
        try:
            with transaction.atomic():
                announce(incident=5, target="section-summary", version=2)
                raise RuntimeError("the save failed")
        except RuntimeError:
            pass
        with transaction.atomic():
            announce(incident=5, target="section-lessons", version=3)

    events = asyncio.run(asyncio.wait_for(first_events(5, 1, trigger), 5))
    assert [e.target for e in events] == ["section-lessons"]


@pytest.mark.services
def test_events_travel_through_redis(settings):
    import os

    url = os.environ.get("REDIS_URL")
    if not url:
        need("Redis", "REDIS_URL is not set")
    settings.REDIS_URL = url

    def trigger():
        publish(Event(incident=9, target="header", version=4, actor="Ben"))

    events = asyncio.run(asyncio.wait_for(first_events(9, 1, trigger), 10))
    assert events == [Event(incident=9, target="header", version=4, actor="Ben")]
