"""In Chromium, a facilitator runs the review meeting from the keyboard: the
arrow keys step through the agenda, and an action captured on the way lands
on the Actions step without a reload."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from postmortems.models import Postmortem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(settings.DEMO_USERNAME)
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/incidents/$"))


@pytest.fixture
def draft(demo) -> Postmortem:
    """Read before the browser starts: the ORM refuses to run in Playwright's loop."""
    return Postmortem.objects.select_related("incident").get(state="draft")


def test_the_meeting_steps_with_the_arrow_keys_and_captures_an_action(live_server, draft, page):
    postmortem = draft
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}{postmortem.get_absolute_url()}meeting/")
    title = page.locator("#meeting-step-title")
    expect(title).to_have_text("Timeline")

    page.locator("body").press("ArrowRight")
    expect(title).to_have_text("Impact")
    expect(page).to_have_url(re.compile(r"\?step=2$"))
    page.locator("body").press("ArrowLeft")
    expect(title).to_have_text("Timeline")

    # Typing in the capture box never steps the agenda.
    capture = page.locator("#meeting-capture")
    capture.get_by_label("Title").fill("Page on pool saturation above 80% for 2 minutes")
    capture.get_by_label("Title").press("ArrowRight")
    expect(title).to_have_text("Timeline")
    capture.get_by_label("Detect").check()
    capture.get_by_label("Owning team (optional)").fill("Platform")
    capture.get_by_role("button", name="Capture").click()
    expect(page.locator("#meeting-capture [role=status]")).to_have_text("AI-006 captured")

    page.get_by_role("navigation", name="Agenda").get_by_role("link", name="Actions").click()
    expect(title).to_have_text("Actions")
    expect(page.locator("#meeting-step")).to_contain_text(
        "Page on pool saturation above 80% for 2 minutes"
    )
