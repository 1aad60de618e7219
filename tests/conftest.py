import io
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

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
def _own_cache(settings):
    """Each test reads and writes cache keys of its own. Its database is
    rolled back, so an incident of one test shares its id with another's,
    and a fragment cached for the first must not reach the second. A key
    prefix, not cache.clear(): on Redis that would flush Celery's queues too."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"}
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


# Browser tests (marked ``browser``) share these.

CHROMIUM = Path("/usr/bin/chromium")
# A 2-core CI machine running the whole suite is slower than a laptop: wait
# up to 15 s for what a person would see, instead of Playwright's 5 s.
expect.set_options(timeout=15_000)
# Playwright's own browser download is not used: Debian's chromium is.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def live_server():
    """pytest-django's live server, speaking plain HTTP and serving static files as they are.

    The tests run with DEBUG off, so the settings redirect to HTTPS, mark cookies
    secure and expect a collectstatic manifest; the live server has no TLS and
    serves static files from the apps' folders. Overridden before the server
    starts, because the middleware reads these settings once, at start.
    """
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        STORAGES=storages,
    ):
        server = LiveServer("localhost")
        yield server
        server.stop()


@pytest.fixture
def demo(live_server) -> None:
    """The demo workspace, loaded the way `make run` loads it."""
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def page(demo) -> Page:
    if not CHROMIUM.exists():
        need("Chromium", f"{CHROMIUM} is missing; install Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 800})
        finally:
            browser.close()


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        need("Chromium", f"{CHROMIUM} is missing; install Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def signed_in_page(browser: Browser, user, base_url: str) -> Page:
    """A page in a browser context of its own carrying the user's session (made through Django)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies["sessionid"].value,
          "url": base_url}]
    )  # fmt: skip
    return context.new_page()


@pytest.fixture
def published(monkeypatch, settings):
    """The live events published by the test's changes, in order (in-process bus)."""
    from postmortems import live

    settings.REDIS_URL = ""
    events: list = []
    monkeypatch.setattr(live, "publish", events.append)
    return events


@pytest.fixture
def ana():
    return UserFactory(first_name="Ana", last_name="Silva")
