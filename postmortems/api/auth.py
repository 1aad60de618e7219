"""Personal API tokens: ``Authorization: Bearer pm_…``.

A token is 32 random bytes shown once; the database keeps its SHA-256
digest (a fast hash is enough for a random secret of that length, and it
lets a request find its token with one indexed lookup) and a short prefix
to tell tokens apart on the account page.
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from postmortems.models import ApiToken
from postmortems.ratelimit import client_ip, over_limit

PREFIX = "pm_"
# Wrong tokens from one address per minute before it waits: guessing stays slow.
FAILED_AUTH_LIMIT = 30
# last_used_at is written at most this often, not on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Retry after {retry_after} s")
        self.retry_after = retry_after


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row and the token itself, to show once."""
    raw = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:80], prefix=raw[:10], digest=digest(raw)
    )
    return token, raw


def authenticate_token(request: HttpRequest, raw: str) -> AbstractBaseUser | None:
    """The active user of an active token, or None; RateLimited when this
    address sent too many wrong tokens or this token too many requests."""
    ip = client_ip(request)
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(digest=digest(raw), user__is_active=True)
        .first()
        if raw.startswith(PREFIX) and len(raw) < 200
        else None
    )
    if token is None:
        if retry := over_limit(f"api-auth-failed:{ip}", limit=FAILED_AUTH_LIMIT, window=60):
            raise RateLimited(retry)
        return None
    if retry := over_limit(f"api-token:{token.pk}", limit=settings.API_RATE_LIMIT, window=60):
        raise RateLimited(retry)
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    request.user = token.user
    return token.user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> AbstractBaseUser | None:
        return authenticate_token(request, token)
