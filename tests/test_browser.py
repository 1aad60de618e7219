"""The demo user signs in through the real login form in headless Chromium."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tests.conftest import need

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
# Playwright's own browser download is not used: Debian's chromium is.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INCIDENT_REF = re.compile(r"INC-\d{4}-\d{2}-\d{2}-\d+")


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


def test_the_demo_user_signs_in_and_sees_the_incident_list(live_server, page):
    problems: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "response",
        lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"),
    )

    page.goto(f"{live_server.url}/incidents/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/incidents/$"))
    page.get_by_label("Username").fill(settings.DEMO_USERNAME)
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}/incidents/")
    expect(page.get_by_role("heading", level=1, name="Incidents")).to_be_visible()
    expect(page.get_by_text(INCIDENT_REF).first).to_be_visible()
    assert problems == []
