"""The request type views see: Django's, with django-htmx's ``request.htmx``.

Imports no domain models, so every app's views can use it.
"""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def wants_fragment(request: HtmxHttpRequest) -> bool:
    """An htmx request for part of a page; a history restore needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request
