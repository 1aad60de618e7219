"""A scribe keeps the timeline from the keyboard alone, in headless Chromium."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect

from incidents.models import Incident, RoleAssignment
from incidents.services import incident_declare, role_assign, status_update_post

pytestmark = pytest.mark.browser

# Minutes after midnight (in the browser's zone), typed in this order: out of order.
MINUTES = [37, 5, 22, 14, 51, 9, 30, 44, 18, 4, 58, 26, 11, 40, 33, 7, 48, 20, 55, 29]


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(settings.DEMO_USERNAME)
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def typed_time(index: int, moment: dt.datetime) -> str:
    """Each of the three accepted forms in turn."""
    return [
        f"{moment:%H:%M}",
        f"{moment:%Y-%m-%d %H:%M}",
        moment.isoformat(),
    ][index % 3]


def test_a_scribe_types_twenty_entries_and_moves_a_milestone(live_server, page: Page, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # below are plain blocking ones all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    # 422 is the expected answer to the taken milestone; anything else is a bug.
    page.on(
        "response",
        lambda r: r.status >= 400 and r.status != 422 and problems.append(f"{r.status} {r.url}"),
    )
    sign_in(page, live_server.url)

    # Times are typed and shown in the browser's zone (app.js reports it).
    zone = ZoneInfo(page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone"))
    midnight = dt.datetime.combine(dt.datetime.now(zone).date(), dt.time(0, 0), zone)
    scribe = get_user_model().objects.get(username=settings.DEMO_USERNAME)
    incident = incident_declare(
        title="Checkout errors in EU",
        severity=Incident.Severity.SEV2,
        impact_category=Incident.ImpactCategory.PERFORMANCE,
        detection_method=Incident.DetectionMethod.MONITORING,
        declared_by=scribe,
        started_at=midnight,
        detected_at=midnight + dt.timedelta(minutes=3),
    )
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    timeline = page.locator("#timeline-list")
    text = page.locator("#tl-new-text")

    # N puts the cursor in the new entry; from there on, no mouse.
    page.keyboard.press("n")
    expect(text).to_be_focused()
    for index, minute in enumerate(MINUTES):
        page.keyboard.press("Shift+Tab")  # the time field sits just before the text
        page.keyboard.type(typed_time(index, midnight + dt.timedelta(minutes=minute)))
        page.keyboard.press("Tab")
        page.keyboard.type(f"Entry at minute {minute}")
        if index == 3:
            page.keyboard.press("Tab")  # the kind; it stays chosen for the next entries
            page.keyboard.type("h")  # Hypothesis
            page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
        # A fresh, empty form with the cursor in its text; the entry is in the list.
        expect(text).to_have_value("")
        expect(text).to_be_focused()
        expect(timeline.get_by_text(f"Entry at minute {minute}", exact=True)).to_be_visible()

    rows = timeline.locator("li.timeline__event").filter(has_text="Entry at minute")
    expect(rows).to_have_count(len(MINUTES))
    shown = [int(t.rsplit(" ", 1)[1]) for t in rows.locator(".timeline__text").all_inner_texts()]
    assert shown == sorted(MINUTES)
    offsets = rows.locator(".timeline__offset").all_inner_texts()
    assert offsets == [f"T+00:{minute:02d}" for minute in sorted(MINUTES)]
    kinds = rows.locator(".timeline__kind").all_inner_texts()
    assert kinds == ["Hypothesis" if m in MINUTES[3:] else "Fact" for m in sorted(MINUTES)]

    # Escape abandons an edit and restores the entry as saved.
    edit = page.get_by_role("button", name="Edit the 00:04 entry", exact=True)
    entry = edit.get_attribute("hx-target")
    edit.click()
    expect(page.locator(f"{entry} .timeline-edit input[name=text]")).to_be_focused()
    page.keyboard.type(" (not meant)")
    page.keyboard.press("Escape")
    expect(page.locator(".timeline-edit")).to_have_count(0)
    expect(page.locator(f"{entry} .timeline__text")).to_have_text("Entry at minute 4")
    page.keyboard.press("n")
    expect(text).to_be_focused()

    # Detection is taken (by the declare, at 00:03); an earlier signal takes it over.
    time_to_detect = page.locator(".stats div", has_text="Time to detect").locator("dd")
    expect(time_to_detect).to_have_text("3m")
    page.keyboard.press("Shift+Tab")
    page.keyboard.type(f"{midnight + dt.timedelta(minutes=1):%H:%M}")
    page.keyboard.press("Tab")
    page.keyboard.type("Synthetic check failed")
    page.keyboard.press("Tab")  # kind
    page.keyboard.press("Tab")  # milestone
    page.keyboard.type("d")  # Detected
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    error = page.locator("#tl-new-milestone_error")
    expect(error).to_contain_text("“Detected” is already set on the entry at")
    expect(error).to_contain_text("Detected: Monitoring alert")
    move = page.get_by_label("Move milestone here")
    expect(move).to_be_focused()
    expect(text).to_have_value("Synthetic check failed")  # nothing typed is lost
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(text).to_have_value("")
    moved = timeline.locator("li.timeline__event", has_text="Synthetic check failed")
    expect(moved.locator(".badge--milestone")).to_have_text("Detected")
    expect(moved.locator(".timeline__offset")).to_have_text("T+00:01")
    former = timeline.locator("li.timeline__event", has_text="Detected: Monitoring alert")
    expect(former.locator(".badge--milestone")).to_have_count(0)
    # The header follows the moved milestone (incident-changed re-fetched it).
    expect(time_to_detect).to_have_text("1m")

    # Role changes and status updates land in the timeline (their panels post
    # through these services).
    role_assign(incident=incident, role=RoleAssignment.Role.COMMANDER, user=scribe, by=scribe)
    status_update_post(
        incident=incident,
        author=scribe,
        known="Checkout fails for EU cards.",
        impact="About 10% of EU checkouts.",
        next_update_due=dt.datetime.now(dt.UTC) + incident.status_cadence,
    )
    page.reload()
    role = timeline.locator("li.timeline__event[data-kind=role_change]")
    expect(role).to_have_count(1)
    expect(role.locator(".timeline__kind")).to_have_text("Role change")
    expect(role).to_contain_text("Incident commander:")
    status = timeline.locator("li.timeline__event[data-kind=status]")
    expect(status).to_have_count(1)
    expect(status.locator(".timeline__kind")).to_have_text("Status update")
    expect(status).to_contain_text("Status update: Checkout fails for EU cards.")

    # The kind filter narrows the list without a page load.
    page.locator("#timeline-kind").select_option("role_change")
    expect(timeline.locator("li.timeline__event")).to_have_count(1)
    assert problems == []
