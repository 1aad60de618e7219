"""The demo user signs in through the real login form in headless Chromium."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

INCIDENT_REF = re.compile(r"INC-\d{4}-\d{2}-\d{2}-\d+")


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
