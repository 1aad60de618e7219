"""Rendered fragments shared by every reader until their part changes.

When a change is announced on the live bus, every open page of the incident
re-fetches the same fragment at the same moment: fifty readers would mean
fifty identical renders. Instead the first request renders it and the rest
read the HTML from the cache, under a key that holds a stamp of the data the
fragment shows (for the timeline: how many entries, the newest id and the
sum of their versions). Any change changes the stamp, so a reader never gets
HTML older than the data, even when the cache missed a change (Redis down
at that moment, or restarted with its old keys).

A cached fragment must carry nothing personal. The one exception, the CSRF
token of forms that also work without JavaScript, is rendered as a
placeholder and swapped for the reader's own token on the way out.
"""

import logging
import time
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString

log = logging.getLogger(__name__)

# Old stamps are never read again: they only need to leave the cache.
TTL_SECONDS = 300
CSRF_PLACEHOLDER = "csrf-placeholder-0d1b5e"
# The longest one render holds the others waiting: a large timeline on a busy
# server takes seconds, and readers who stopped waiting would all render it
# at once, each slower for the others. A process killed mid-render leaves its
# lock behind for this long at most.
RENDER_LOCK_SECONDS = 60


def cached_fragment(
    request: HttpRequest,
    *,
    incident: int,
    part: str,
    stamp: str,
    variant: str,
    render: Callable[[dict], str],
) -> SafeString:
    """The part's HTML for this reader: from the cache when it was rendered
    from data with the same ``stamp``, else made by ``render(extra_context)``
    and stored.

    ``variant`` names whatever else the HTML depends on (a filter); the
    reader's time zone is added here, since fragments show times.
    """
    zone = timezone.get_current_timezone_name()
    key = f"fragment:{incident}:{part}:{stamp}:{zone}:{variant}"
    try:
        html = cache.get(key)
    except Exception:
        # The cache is a speed-up: without it, render for this reader alone.
        log.warning("fragment cache: unavailable; rendering %s directly", part, exc_info=True)
        key = html = None
    if html is None and key is not None:
        html = _render_once(key, render)
    if html is None:
        html = render({"csrf_token": CSRF_PLACEHOLDER})
    # Output of our own autoescaping templates; only the placeholder changes.
    return SafeString(html.replace(CSRF_PLACEHOLDER, get_token(request)))


def _render_once(key: str, render: Callable[[dict], str]) -> str | None:
    """Render and store, or, while another request is already rendering the
    same key, wait for its result: the event reaches every reader at once,
    and fifty simultaneous misses would otherwise mean fifty renders."""
    lock = f"{key}:rendering"
    deadline = time.monotonic() + RENDER_LOCK_SECONDS
    pause = 0.005
    while time.monotonic() < deadline:
        if cache.add(lock, 1, RENDER_LOCK_SECONDS):
            try:
                html = render({"csrf_token": CSRF_PLACEHOLDER})
                cache.set(key, html, TTL_SECONDS)
                return html
            finally:
                cache.delete(lock)
        # Someone renders it: wait for as long as their lock stands, then
        # (their render failed) try again.
        while time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
            found = cache.get_many([key, lock])
            if key in found:
                return found[key]
            if lock not in found:
                break
    return None  # a lock outlived its render: render for this reader
