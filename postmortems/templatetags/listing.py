"""Small filters the list and detail pages share."""

from collections.abc import Iterator
from urllib.parse import urlsplit

from django import template
from django.core.paginator import Page

register = template.Library()


@register.filter
def page_numbers(page: Page) -> Iterator[str | int]:
    """The page numbers around the current one, with ``…`` for the gaps."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)


@register.filter
def http_url(value: str) -> str:
    """The value when it is an http(s) link, else "" (so it is shown as plain text)."""
    value = (value or "").strip()
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    return value if parts.scheme in {"http", "https"} and parts.netloc else ""
