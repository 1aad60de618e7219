import asyncio
import time

import pytest
from django.test import AsyncClient
from django.urls import reverse

from incidents.views import live as live_views
from postmortems import live
from tests.factories import IncidentFactory, UserFactory


async def next_chunk(chunks, *, after=None) -> bytes:
    """The stream's next chunk; ``after`` runs once the stream is waiting."""
    pending = asyncio.ensure_future(anext(chunks))
    await asyncio.sleep(0.2)
    if after:
        after()
    return await asyncio.wait_for(pending, 5)


@pytest.fixture
def in_process_bus(settings):
    settings.REDIS_URL = ""


@pytest.mark.django_db(transaction=True)
def test_a_responder_receives_the_incidents_events(in_process_bus):
    responder = UserFactory()
    incident = IncidentFactory(restricted=True, responders=[responder])
    url = reverse("incidents:live", args=[incident.ref])

    async def scenario():
        client = AsyncClient()
        await client.aforce_login(responder)
        response = await client.get(url)
        assert response["Content-Type"] == "text/event-stream"
        chunks = aiter(response.streaming_content)
        assert await anext(chunks) == b"retry: 2000\n\n"
        event = live.Event(incident=incident.pk, target="timeline", version=3, actor="Ana")
        chunk = await next_chunk(chunks, after=lambda: live.publish(event))
        assert chunk.startswith(b"event: timeline\ndata: ")
        assert b'"actor":"Ana"' in chunk
        await response.streaming_content.aclose()

    asyncio.run(scenario())


@pytest.mark.django_db(transaction=True)
def test_a_removed_responders_stream_ends_at_once(in_process_bus):
    responder = UserFactory()
    incident = IncidentFactory(restricted=True, responders=[responder])

    def remove_and_announce():
        incident.responders.remove(responder)
        live.publish(live.Event(incident=incident.pk, target="access", kind="access"))

    async def scenario():
        client = AsyncClient()
        await client.aforce_login(responder)
        response = await client.get(reverse("incidents:live", args=[incident.ref]))
        chunks = aiter(response.streaming_content)
        await anext(chunks)
        after = lambda: asyncio.get_running_loop().run_in_executor(None, remove_and_announce)  # noqa: E731
        assert await next_chunk(chunks, after=after) == b"event: revoked\ndata: {}\n\n"
        with pytest.raises(StopAsyncIteration):
            await anext(chunks)

    asyncio.run(scenario())


@pytest.mark.django_db
def test_an_outsider_cannot_open_the_stream(client):
    incident = IncidentFactory(restricted=True)
    client.force_login(UserFactory())
    assert client.get(reverse("incidents:live", args=[incident.ref])).status_code == 404


@pytest.mark.django_db
def test_presence_shows_who_is_here_and_what_they_edit(client, monkeypatch):
    incident = IncidentFactory()
    ana = UserFactory(first_name="Ana", last_name="Silva")
    client.force_login(ana)
    beat = reverse("incidents:presence_beat", args=[incident.ref])
    assert client.post(beat, {"editing": "Executive Summary"}).status_code == 204
    page = client.get(reverse("incidents:presence", args=[incident.ref])).content.decode()
    assert ">AS<" in page
    assert "editing Executive Summary" in page
    later = time.time() + live_views.PRESENCE_TTL + 1
    monkeypatch.setattr(live_views.time, "time", lambda: later)
    page = client.get(reverse("incidents:presence", args=[incident.ref])).content.decode()
    assert "Ana Silva" not in page
