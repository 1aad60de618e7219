"""Times as a scribe types them: ``14:05``, ``2026-11-24 14:05`` or ISO 8601 with a zone.

A time without a date is taken on the reference day (today, in the viewer's
zone); a time without a zone is in the viewer's zone. The result is aware.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")

HELP = "Use 14:05, 2026-11-24 14:05 or ISO 8601 such as 2026-11-24T14:05:00+01:00."


def parse_typed_time(text: str, *, zone: dt.tzinfo, today: dt.date) -> dt.datetime:
    value = text.strip()
    if not value:
        raise ValidationError("Enter a time. " + HELP, code="required")
    if match := _CLOCK.match(value):
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        try:
            clock = dt.time(hour, minute, second)
        except ValueError:
            raise _invalid(value) from None
        return dt.datetime.combine(today, clock, tzinfo=zone)
    try:
        parsed = dt.datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        raise _invalid(value) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def _invalid(value: str) -> ValidationError:
    return ValidationError(
        "“%(value)s” is not a time I can read. " + HELP, code="invalid", params={"value": value}
    )
