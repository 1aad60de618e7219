"""What every router of the API shares: the error shape, bounded input
types, and the lookups through the one visibility rule."""

import datetime as dt
from typing import Annotated

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints

from incidents.models import Incident
from incidents.refs import INCIDENT_REF_RE
from postmortems.models import Postmortem

# Every error a client can cause answers this shape (ninja's 401 included).
ERRORS = frozenset({400, 401, 404, 409, 422, 429})


class ErrorOut(Schema):
    detail: str
    # A message list per field; "__all__" for what belongs to no one field.
    errors: dict[str, list[str]] = {}
    # 409: the row as it is now, to show beside what the client sent.
    current: dict | None = None


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail there.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def Text(max_length: int, min_length: int = 0):
    """A string that fits its column (SQLite would not enforce the length)."""
    return Annotated[
        str,
        StringConstraints(max_length=max_length, min_length=min_length),
        AfterValidator(_no_nul),
    ]


def _aware_utc(value: dt.datetime) -> dt.datetime:
    """ISO 8601; a time without an offset is UTC. Always stored in UTC."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    try:
        value = value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("is out of range") from None
    if not 1970 <= value.year <= 9998:
        raise ValueError("must be between 1970 and 9998")
    return value


When = Annotated[dt.datetime, AfterValidator(_aware_utc)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


def incident_for(request: HttpRequest, ref: str) -> Incident:
    """The incident the caller may see, else 404: restricted ones included."""
    if not INCIDENT_REF_RE.match(ref):
        raise Http404
    return get_object_or_404(Incident.objects.visible_to(request.auth), ref=ref)


def postmortem_for(request: HttpRequest, ref: str) -> Postmortem:
    if not INCIDENT_REF_RE.match(ref):
        raise Http404
    return get_object_or_404(
        Postmortem.objects.visible_to(request.auth).select_related("incident", "facilitator"),
        incident__ref=ref,
    )


def user_named(username: str, field: str) -> AbstractBaseUser:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError({field: f"No active user is named “{username}”."})
    return user


def username(user: AbstractBaseUser | None) -> str | None:
    return user.get_username() if user else None


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for m in ValidationError(errs).messages]
            for field, errs in error.error_dict.items()
        }
    return {"__all__": list(error.messages)}


def error_body(detail: str, errors: dict[str, list[str]] | None = None, **extra) -> dict:
    return {"detail": detail, "errors": errors or {}, **extra}
