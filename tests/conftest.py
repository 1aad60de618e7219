import os

import pytest

from tests.factories import UserFactory

# CI sets REQUIRE_SERVICES=1: a test that needs PostgreSQL, Redis, a Celery
# worker or Chromium then fails instead of skipping when the service is absent.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def need(service: str, reason: str) -> None:
    """Skip (locally) or fail (in CI) when a real service this test needs is missing."""
    message = f"{service} is not available: {reason}"
    if REQUIRE_SERVICES:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Production settings, less what a test client cannot use: HTTPS
    redirects, the collectstatic manifest, and a slow password hasher (each
    test user would cost half a second)."""
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _eager_tasks(request):
    """Tasks run in the test's own process and database, also when REDIS_URL
    is set: a worker elsewhere would read the real database, not the test one.
    Tests marked ``services`` talk to the real worker instead."""
    if request.node.get_closest_marker("services"):
        yield
        return
    from postmortems.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def user(db):
    return UserFactory(username="responder")


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")
