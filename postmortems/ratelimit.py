"""Rate limits: a fixed window counted in the cache, shared by every web
process when the cache is Redis.

    if retry := over_limit(f"login:{ip}", limit=10, window=60):
        return rate_limited(retry)   # 429 with Retry-After

Fixed windows allow a burst of up to twice the limit across a window's
edge; for login attempts, tokens and webhooks that is enough, and it costs
one cache round trip. Imports no domain models.
"""

import time

from django.core.cache import cache
from django.http import HttpRequest, JsonResponse


def over_limit(key: str, *, limit: int, window: int) -> int | None:
    """Count one hit on ``key``; the seconds until its window ends when this
    hit goes over ``limit`` within ``window`` seconds, else None."""
    now = int(time.time())
    start = now - now % window
    bucket = f"ratelimit:{key}:{start}"
    # add() starts the window; incr() is atomic on Redis and in LocMem.
    cache.add(bucket, 0, window + 1)
    try:
        count = cache.incr(bucket)
    except ValueError:  # expired between add and incr: this hit opens a new window
        cache.add(bucket, 1, window + 1)
        count = 1
    return (start + window - now) or 1 if count > limit else None


def client_ip(request: HttpRequest) -> str:
    """The address the limit is counted for. Behind a proxy, configure it to
    set REMOTE_ADDR (for instance uvicorn's --proxy-headers); a client-set
    X-Forwarded-For header is never trusted here."""
    return request.META.get("REMOTE_ADDR", "")


def rate_limited(retry_after: int, message: str = "Too many requests.") -> JsonResponse:
    response = JsonResponse(
        {"detail": f"{message} Try again in {retry_after} seconds."}, status=429
    )
    response["Retry-After"] = str(retry_after)
    return response
