"""The incident's live channel over Server-Sent Events, and presence.

The stream is an async view, so an open stream holds no worker thread: it
waits on the live bus on the server's event loop. Access is checked when it
opens, on every access event (a responder removed) and at each keep-alive.
"""

import time
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from incidents.models import Incident
from incidents.views import incident_for
from postmortems import live
from postmortems.http import HtmxHttpRequest

KEEPALIVE_SECONDS = 15
PRESENCE_TTL = 30  # a closed tab stops its heartbeat; it is gone within this


async def _visible(user, ref: str) -> Incident | None:
    return await Incident.objects.visible_to(user).filter(ref=ref).afirst()


@require_GET
async def incident_stream(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    user = await request.auser()
    incident = await _visible(user, ref)
    if incident is None:
        raise Http404("No such incident.")
    if not isinstance(request, ASGIRequest):
        # A WSGI server would hold a thread per stream and buffer it whole:
        # live updates need the ASGI server. 204 tells the browser to stop.
        return HttpResponse(status=204)

    async def events() -> AsyncIterator[str]:
        # The browser reconnects after 2 s if the stream drops.
        yield "retry: 2000\n\n"
        try:
            async for event in live.listen(incident.pk, timeout=KEEPALIVE_SECONDS):
                if event is None or event.kind == "access":
                    if await _visible(user, ref) is None:
                        yield "event: revoked\ndata: {}\n\n"
                        return
                    if event is None:
                        yield ": keep-alive\n\n"
                    continue
                name = "resync" if event.kind == "resync" else event.target
                yield f"event: {name}\ndata: {event.to_json()}\n\n"
        finally:
            await sync_to_async(presence_leave)(incident.pk, user.pk)

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through as they come
    return response


def _presence_key(incident_id: int) -> str:
    return f"presence:{incident_id}"


def presence_of(incident_id: int) -> list[dict]:
    now = time.time()
    people = cache.get(_presence_key(incident_id), {})
    return sorted(
        (p for p in people.values() if now - p["seen"] < PRESENCE_TTL),
        key=lambda p: p["name"],
    )


def presence_leave(incident_id: int, user_id: int) -> None:
    people = cache.get(_presence_key(incident_id), {})
    if people.pop(str(user_id), None) is not None:
        cache.set(_presence_key(incident_id), people, PRESENCE_TTL)
        live.publish(live.Event(incident=incident_id, target="presence", kind="presence"))


def _initials(name: str) -> str:
    parts = [p for p in name.replace(".", " ").split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


@require_POST
def presence_beat(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """A heartbeat from an open page: who is here and what they are editing.
    A change in who or what is announced; a plain heartbeat is not."""
    incident = incident_for(request, ref)
    user = request.user
    name = user.get_full_name() or user.get_username()
    editing = request.POST.get("editing", "")[:80]
    key = _presence_key(incident.pk)
    people = cache.get(key, {})
    previous = people.get(str(user.pk))
    people = {k: p for k, p in people.items() if time.time() - p["seen"] < PRESENCE_TTL}
    people[str(user.pk)] = {
        "name": name,
        "initials": _initials(name),
        "editing": editing,
        "seen": time.time(),
    }
    cache.set(key, people, PRESENCE_TTL)
    if previous is None or previous.get("editing") != editing:
        live.publish(live.Event(incident=incident.pk, target="presence", kind="presence"))
    return HttpResponse(status=204)


@require_GET
def presence_list(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    incident = incident_for(request, ref)
    return render(
        request,
        "incidents/_presence.html",
        {"incident": incident, "present": presence_of(incident.pk)},
    )
