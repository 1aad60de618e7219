"""The reference formats the seeds use: ``INC-YYYY-MM-DD-N`` and ``CHG-YYYYMMDD-<slug>``."""

import datetime as dt
import re

from django.core.exceptions import ValidationError

INCIDENT_REF_RE = re.compile(r"^INC-(\d{4}-\d{2}-\d{2})-([1-9]\d*)$")
CHANGE_ID_RE = re.compile(r"^CHG-(\d{8})-([a-z0-9]+(?:-[a-z0-9]+)*)$")


def incident_ref(day: dt.date, number: int) -> str:
    return f"INC-{day:%Y-%m-%d}-{number}"


def parse_incident_ref(ref: str) -> tuple[dt.date, int]:
    """The date and the day's sequence number of a ref; ValidationError if malformed."""
    match = INCIDENT_REF_RE.match(ref)
    if match is None:
        raise ValidationError(
            "%(ref)s is not an incident reference; expected INC-YYYY-MM-DD-N, "
            "e.g. INC-2026-11-24-1.",
            code="invalid_incident_ref",
            params={"ref": ref},
        )
    try:
        day = dt.date.fromisoformat(match[1])
    except ValueError:
        raise ValidationError(
            "%(ref)s names a date that does not exist.",
            code="invalid_incident_ref",
            params={"ref": ref},
        ) from None
    return day, int(match[2])


def validate_incident_ref(ref: str) -> None:
    parse_incident_ref(ref)


def validate_change_id(value: str) -> None:
    match = CHANGE_ID_RE.match(value)
    if match is None:
        raise ValidationError(
            "%(value)s is not a change id; expected CHG-YYYYMMDD-<slug> with a "
            "lower-case slug of letters, digits and hyphens, e.g. CHG-20261124-login-timeout.",
            code="invalid_change_id",
            params={"value": value},
        )
    try:
        dt.datetime.strptime(match[1], "%Y%m%d")
    except ValueError:
        raise ValidationError(
            "%(value)s names a date that does not exist.",
            code="invalid_change_id",
            params={"value": value},
        ) from None


ACTION_REF_RE = re.compile(r"^AI-(\d{3,})$")


def action_ref(number: int) -> str:
    return f"AI-{number:03d}"


def parse_action_ref(ref: str) -> int:
    match = ACTION_REF_RE.match(ref)
    if match is None or int(match[1]) < 1:
        raise ValidationError(
            "%(ref)s is not an action reference; expected AI-001, AI-002, ...",
            code="invalid_action_ref",
            params={"ref": ref},
        )
    return int(match[1])
