"""The JSON API, ``/api/v1/``: django-ninja, one router per resource.

django-ninja rather than Django REST framework: the request and response
shapes are typed Pydantic schemas, validated on the way in and out, and the
OpenAPI 3 schema (``/api/v1/openapi.json``) and its browsable docs
(``/api/v1/docs``) come from the same code, with less of it than DRF's
serializers, viewsets and a separate schema generator.

Every write goes through the services the pages use, every read through
``visible_to(user)``; as the URL layer of the project it may import every
app (actions included), and nothing imports it but ``postmortems/urls.py``.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.errors import ValidationError as SchemaError

from postmortems.api import actions, exports, hooks, incidents, postmortems, timeline
from postmortems.api.auth import BearerToken, RateLimited
from postmortems.api.common import error_body, field_errors
from postmortems.ratelimit import rate_limited
from postmortems.versioning import StaleVersion

api = NinjaAPI(
    title="Postmortems API",
    version="1",
    description="Incidents, timelines, postmortems, action items and exports. "
    "Send a personal token (your account page) as `Authorization: Bearer <token>`.",
    auth=BearerToken(),
    urls_namespace="api",
)
api.add_router("/incidents", incidents.router)
api.add_router("/incidents", timeline.router)
api.add_router("/postmortems", postmortems.router)
api.add_router("/postmortems", exports.postmortem_router)
api.add_router("/exports", exports.router)
api.add_router("/postmortems", actions.postmortem_router)
api.add_router("/actions", actions.router)
api.add_router("/hooks", hooks.router)


def _field(loc: list) -> str:
    parts = list(loc[1:])
    if loc and loc[0] == "body" and len(parts) > 1:
        parts = parts[1:]  # the body parameter's own name
    return ".".join(str(part) for part in parts) or "__all__"


@api.exception_handler(SchemaError)
def _schema_error(request: HttpRequest, exc: SchemaError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field(error.get("loc", [])), []).append(error.get("msg", "Invalid."))
    return api.create_response(request, error_body("The request is not valid.", errors), status=422)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = field_errors(exc)
    codes = {e.code for e in exc.error_list} if not hasattr(exc, "error_dict") else set()
    status = 409 if "exists" in codes else 422
    detail = "; ".join(m for messages in errors.values() for m in messages)
    return api.create_response(request, error_body(detail, errors), status=status)


@api.exception_handler(StaleVersion)
def _stale(request: HttpRequest, exc: StaleVersion) -> HttpResponse:
    row = exc.current
    current = {
        name: getattr(row, name)
        for name in ("version", "body", "state", "title", "status")
        if hasattr(row, name)
    }
    return api.create_response(
        request,
        error_body(
            f"Someone saved this first: it is at version {row.version}. "
            "Merge your change into the current text and send it with that version.",
            current=current,
        ),
        status=409,
    )


@api.exception_handler(IntegrityError)
def _integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    # A rule the database enforces (a milestone set twice at the same moment,
    # a change id taken): the transaction rolled back, nothing was applied.
    return api.create_response(
        request, error_body("This conflicts with the current data; nothing was saved."), status=409
    )


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    return rate_limited(exc.retry_after)


def _open_to_tokens(patterns: list) -> list:
    """The API authenticates by token, not by the session: exempt its views
    from LoginRequiredMiddleware (they answer 401 themselves)."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _open_to_tokens(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback.login_required = False
    return patterns


def urls() -> tuple[list, str, str]:
    patterns, app_name, namespace = api.urls
    return _open_to_tokens(patterns), app_name, namespace
