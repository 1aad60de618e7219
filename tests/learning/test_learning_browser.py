"""In Chromium, on the demo data: a manager opens Insights and sees the
charts; an engineer adds a factor resembling an earlier one and sees the match."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import IncidentFactory
from tests.postmortems.test_document_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_opens_insights_and_sees_the_charts(live_server, page):
    sign_in(page, live_server.url)
    page.get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", level=1, name="Insights")).to_be_visible()
    charts = page.get_by_role("img", name=re.compile("Incidents per month"))
    expect(charts).to_be_visible()
    expect(page.locator("svg.chart")).to_have_count(6)
    expect(page.get_by_role("link", name=re.compile("Download CSV")).first).to_be_visible()


@pytest.fixture
def fresh(demo):
    """A new review, made before the browser starts (the ORM refuses to run
    inside Playwright's event loop)."""
    from postmortems.services import postmortem_start

    return postmortem_start(
        incident=IncidentFactory(title="Browser recurrence"), kind="full", facilitator=None
    )


def test_an_engineer_adds_a_factor_like_an_earlier_one_and_sees_the_match(live_server, fresh, page):
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/postmortems/{fresh.incident.ref}/")
    panel = page.locator("#factors-panel")
    panel.get_by_label("Layer").select_option("rollout_control_gap")
    panel.get_by_label("Description").fill(
        "Config changes deploy to every pod at once, without the canary that code deploys use."
    )
    panel.get_by_role("button", name="Add factor").click()
    match = page.get_by_role("status", name=re.compile("Similar earlier factor"))
    expect(match).to_contain_text("This came up before")
    expect(match).to_contain_text(re.compile(r"INC-\d{4}-\d{2}-\d{2}-\d+"))
