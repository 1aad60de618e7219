"""The live bus: one channel per incident, carrying small change events.

An accepted change calls ``announce`` inside its transaction; the event goes
out only after the commit (a rolled-back change announces nothing). Pages
listen over Server-Sent Events and re-fetch the fragment an event names.

Two transports, one interface:
- without REDIS_URL, an in-process broadcaster: subscribers are asyncio
  queues on the server's event loop, and publishers (sync views on worker
  threads) hand events over with ``call_soon_threadsafe``. One process only.
- with REDIS_URL, Redis pub/sub: ``publish`` sends to Redis, and each web
  process runs one relay that subscribes once and feeds its local
  broadcaster, so any number of processes share the channel.

Imports no domain models.
"""

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import transaction

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "pm:incident:"


@dataclass(frozen=True)
class Event:
    incident: int
    target: str  # which fragment changed, e.g. "timeline" or "section-summary"
    version: int = 0
    actor: str = ""  # the display name of who changed it
    kind: str = "change"  # "change", "presence" or "access"

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> "Event":
        return cls(**json.loads(raw))


@dataclass(eq=False)
class _Subscriber:
    incident: int
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(maxsize=1000))


class Broadcaster:
    """Fan-out of events to the subscribers in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: set[_Subscriber] = set()

    def deliver(self, event: Event) -> None:
        """Thread-safe: may be called from any thread."""
        with self._lock:
            targets = [s for s in self._subscribers if s.incident == event.incident]
        for subscriber in targets:
            try:
                subscriber.loop.call_soon_threadsafe(_offer, subscriber.queue, event)
            except RuntimeError:  # its loop has closed: the stream is gone
                self._discard(subscriber)

    def subscribe(self, incident: int) -> _Subscriber:
        subscriber = _Subscriber(incident=incident, loop=asyncio.get_running_loop())
        with self._lock:
            self._subscribers.add(subscriber)
        return subscriber

    def _discard(self, subscriber: _Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    def count(self, incident: int | None = None) -> int:
        with self._lock:
            return sum(1 for s in self._subscribers if incident in (None, s.incident))


def _offer(queue: asyncio.Queue, event: Event) -> None:
    # A reader that fell 1,000 events behind is not reading: drop, never block.
    # The page catches up by re-fetching everything when it reconnects.
    if not queue.full():
        queue.put_nowait(event)


broadcaster = Broadcaster()


def publish(event: Event) -> None:
    """Send an event now, to every process."""
    if settings.REDIS_URL:
        _redis().publish(f"{CHANNEL_PREFIX}{event.incident}", event.to_json())
    else:
        broadcaster.deliver(event)


def announce(*, incident: int, target: str, version: int = 0, actor: str = "") -> None:
    """Publish a change event once the current transaction commits."""
    event = Event(incident=incident, target=target, version=version, actor=actor)
    transaction.on_commit(lambda: _publish_quietly(event))


def _publish_quietly(event: Event) -> None:
    # The change is saved; a bus outage must not turn it into an error page.
    # Readers catch up when their stream reconnects.
    try:
        publish(event)
    except Exception:
        log.warning("live bus: could not publish %s", event, exc_info=True)


async def listen(incident: int, *, timeout: float) -> AsyncIterator[Event | None]:
    """Events for one incident, and None after ``timeout`` seconds of quiet
    (the stream's cue for a keep-alive and an access re-check)."""
    if settings.REDIS_URL:
        await _relay.ensure_running()
    subscriber = broadcaster.subscribe(incident)
    try:
        while True:
            try:
                yield await asyncio.wait_for(subscriber.queue.get(), timeout)
            except TimeoutError:
                yield None
    finally:
        broadcaster._discard(subscriber)


_redis_client = None
_redis_lock = threading.Lock()


def _redis():
    global _redis_client
    with _redis_lock:
        if _redis_client is None:
            import redis

            _redis_client = redis.Redis.from_url(settings.REDIS_URL)
        return _redis_client


class _Relay:
    """One Redis subscription per process, feeding the local broadcaster."""

    def __init__(self) -> None:
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def ensure_running(self) -> None:
        loop = asyncio.get_running_loop()
        # A server has one loop for its life; tests start a new one each time.
        if self._task is None or self._task.done() or self._loop is not loop:
            self._loop = loop
            ready = asyncio.Event()
            self._task = asyncio.create_task(self._run(ready))
            await asyncio.wait_for(ready.wait(), 5)

    async def _run(self, ready: asyncio.Event) -> None:
        import redis.asyncio as aioredis

        lost = False
        while True:
            try:
                client = aioredis.Redis.from_url(settings.REDIS_URL)
                async with client.pubsub() as pubsub:
                    await pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
                    ready.set()
                    if lost:
                        # Subscribed again, and only now: a page that caught up
                        # before this could still miss a change made meanwhile.
                        lost = False
                        for incident in _subscribed_incidents():
                            broadcaster.deliver(Event(incident=incident, target="*", kind="resync"))
                    async for message in pubsub.listen():
                        if message["type"] == "pmessage":
                            broadcaster.deliver(Event.from_json(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis restarted: the events published meanwhile are lost, so
                # every local stream catches up once the relay resubscribes.
                log.warning("live bus: Redis subscription lost; retrying", exc_info=True)
                lost = True
                ready.set()
                await asyncio.sleep(1)


def _subscribed_incidents() -> set[int]:
    with broadcaster._lock:
        return {s.incident for s in broadcaster._subscribers}


_relay = _Relay()
