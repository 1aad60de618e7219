"""schemathesis against /api/v1/openapi.json, in-process through the WSGI
app (so in both CI passes): generated requests, a real token, no server
error and every answer as the schema promises."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from postmortems.api import api
from postmortems.api.auth import api_token_create
from tests.factories import IncidentFactory, PostmortemFactory, UserFactory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def _keep_connection():
    """As Django's test client does: a request must not close the test's
    database connection (its transaction is the test's data)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, settings, _keep_connection):
    settings.API_RATE_LIMIT = 100_000
    settings.HOOK_RATE_LIMIT = 100_000
    settings.CI_WEBHOOK_SECRET = "ci-secret"
    settings.SLACK_SIGNING_SECRET = "slack-secret"
    # Something to find: an incident with its postmortem.
    PostmortemFactory(incident=IncidentFactory(ref="INC-2026-11-01-1"))
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def bearer(db):
    _, raw = api_token_create(user=UserFactory(username="fuzzer"), name="schemathesis")
    return {"Authorization": f"Bearer {raw}"}


def _operations() -> list[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return [(method.upper(), path) for path, methods in paths.items() for method in methods]


# Collected from the API itself, so each operation is its own test case.
@pytest.mark.parametrize(("method", "path"), _operations(), ids=" ".join)
def test_api_conforms_to_its_schema(api_schema, bearer, method, path):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def conforms(case):
        case.call_and_validate(headers=bearer, checks=CHECKS)

    conforms()
