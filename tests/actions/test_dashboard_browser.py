"""A manager narrows the actions dashboard to one team's overdue P0 and P1
items on the demo workspace, in headless Chromium, bookmarks the view, gets
it back from the URL alone, and downloads it as CSV."""

import csv
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The demo's overdue actions; only the first is Platform's, and P1.
PLATFORM_OVERDUE = "Autoscale email workers on queue age instead of CPU"
OTHER_OVERDUE = [
    "Alert when PDF render errors exceed 1% of renders",  # Priya, P2
    "Split transactional and bulk email into separate queues",  # Tomás, P1
]


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login/?next=/actions/")
    page.get_by_label("Username").fill(settings.DEMO_USERNAME)
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/actions/$"))


def expect_the_platform_view(page: Page) -> None:
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(PLATFORM_OVERDUE)
    expect(rows.first).to_contain_text("days overdue")
    expect(page.get_by_label("Team")).to_have_value("Platform")
    expect(page.get_by_label("P0", exact=True)).to_be_checked()
    expect(page.get_by_label("P1", exact=True)).to_be_checked()
    expect(page.get_by_label("P2", exact=True)).not_to_be_checked()
    expect(page.get_by_role("radio", name=re.compile("^Overdue"))).to_be_checked()


def test_a_manager_filters_bookmarks_and_downloads_one_teams_overdue_p0_p1(
    live_server, page: Page, tmp_path: Path
):
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    base = live_server.url
    sign_in(page, base)
    # The navigation counts everything overdue once the page has loaded.
    expect(page.locator(".nav__count").first).to_have_text("4 overdue")

    page.get_by_role("radio", name=re.compile("^Overdue")).check()
    expect(page).to_have_url(re.compile(r"bucket=overdue"))
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(4)
    for title in OTHER_OVERDUE:
        expect(page.locator("#results")).to_contain_text(title)

    # From the keyboard: each change reloads the results and the address, and
    # the form stays as it is, so the next key goes where the person expects.
    page.get_by_label("Team").focus()
    page.get_by_label("Team").select_option("Platform")
    expect(page).to_have_url(re.compile(r"team=Platform"))
    expect(page.get_by_label("Team")).to_be_focused()
    page.keyboard.press("Tab")  # the owner
    page.keyboard.press("Tab")  # P0
    expect(page.get_by_label("P0", exact=True)).to_be_focused()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"priority=P0"))
    page.keyboard.press("Tab")
    expect(page.get_by_label("P1", exact=True)).to_be_focused()
    page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(r"priority=P0&priority=P1"))
    expect_the_platform_view(page)
    for title in OTHER_OVERDUE:
        expect(page.locator("#results")).not_to_contain_text(title)

    bookmark = page.url
    page.goto(f"{base}/incidents/")
    page.goto(bookmark)
    expect_the_platform_view(page)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download CSV")).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert re.fullmatch(r"actions-\d{4}-\d{2}-\d{2}\.csv", saved.name)
    with saved.open(newline="", encoding="utf-8") as handle:
        exported = list(csv.DictReader(handle))
    assert [(row["Title"], row["Team"], row["Priority"]) for row in exported] == [
        (PLATFORM_OVERDUE, "Platform", "P1")
    ]
    assert int(exported[0]["Days overdue"]) > 0
    assert problems == []
