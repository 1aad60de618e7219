"""Show times in the viewer's zone: the browser reports it in a ``tz`` cookie
(set by static/js/app.js); the server stores and compares in UTC."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.deprecation import MiddlewareMixin

COOKIE = "tz"


def zone_named(name: str, default: dt.tzinfo) -> dt.tzinfo:
    """The IANA zone of that name, or the default for an unknown or empty name."""
    try:
        return ZoneInfo(name) if name else default
    except (ValueError, KeyError, OSError):
        return default


# MiddlewareMixin keeps it both sync and async capable, so an async view
# (a live stream) is not pushed onto a thread by this middleware.
class ViewerTimezoneMiddleware(MiddlewareMixin):
    def process_request(self, request: HttpRequest) -> None:
        timezone.activate(
            zone_named(request.COOKIES.get(COOKIE, ""), timezone.get_default_timezone())
        )

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        timezone.deactivate()
        return response
