"""In Chromium, a facilitator starts a postmortem of each kind, fills its
parts from the keyboard, moves it to Final, and the page shows the seed's
headings in the seed's order."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from incidents.models import Incident
from postmortems.kinds import TEMPLATES, Kind
from tests.factories import IncidentFactory, TimelineEventFactory
from tests.postmortems.test_document_page import SEED_HEADINGS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(settings.DEMO_USERNAME)
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/incidents/$"))


@pytest.fixture
def incident(demo, kind) -> Incident:
    """Made before the browser starts: Django's ORM refuses to run inside
    Playwright's event loop."""
    if kind != Kind.HOTFIX:
        return IncidentFactory(title=f"Browser {kind} incident")
    incident = IncidentFactory(
        title="Browser hotfix incident", is_hotfix=True, change_id="CHG-20261101-browser-fix"
    )
    TimelineEventFactory(
        incident=incident, milestone="deployed", text="Fix deployed", source="deploy log 4411"
    )
    return incident


def fill_sections(page: Page, kind: Kind) -> None:
    for number, spec in enumerate(TEMPLATES[kind].sections):
        body = page.locator(f"#section-{spec.key}-body")
        body.locator("[data-inline-view]").focus()
        page.keyboard.press("Enter")
        editor = page.locator(f"#id_body_{spec.key}")
        expect(editor).to_be_focused()
        page.keyboard.type(f"Written for **{spec.title}** ({number}).")
        page.keyboard.press("Control+Enter")
        expect(body.locator(".prose strong")).to_have_text(spec.title)
        expect(body.locator("[data-inline-view]")).to_be_focused()


def fill_impact(page: Page, kind: Kind) -> None:
    for spec in TEMPLATES[kind].impact_fields:
        field = page.locator(f"#impact-{spec.key}")
        field.get_by_role("button", name=f"Edit {spec.label}").press("Enter")
        page.keyboard.press("Control+a")
        page.keyboard.type(f"{spec.label}: measured")
        page.keyboard.press("Enter")
        expect(field.locator("dd").first).to_have_text(f"{spec.label}: measured")


def add_factor(page: Page) -> None:
    page.locator("#id_factor_new_layer").select_option("detection_gap")
    page.locator("#id_factor_new_description").focus()
    page.keyboard.type("No alert on pool saturation")
    page.get_by_role("button", name="Add factor").press("Enter")
    expect(page.locator("#factors-panel .row")).to_have_count(1)


def add_whys(page: Page) -> None:
    for question in ("Why did checkout fail?", "Why was the pool exhausted?"):
        page.locator("#id_why_new_question").focus()
        page.keyboard.type(question)
        page.keyboard.press("Tab")
        page.keyboard.type("Because of the config change.")
        page.get_by_role("button", name="Add why").press("Enter")
        expect(page.locator("#whys-panel .row").filter(has_text=question)).to_have_count(1)


@pytest.mark.parametrize("kind", list(Kind))
def test_a_facilitator_fills_a_postmortem_of_each_kind(live_server, incident, page, kind):
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    base = live_server.url
    sign_in(page, base)

    page.goto(f"{base}/postmortems/start/{incident.ref}/")
    page.get_by_label(TEMPLATES[kind].label, exact=True).check()
    if kind == Kind.HOTFIX:
        page.get_by_label("Log root").fill(f"{settings.EXPORT_LOG_ROOTS[0]}/{incident.change_id}")
    page.get_by_role("button", name="Start postmortem").press("Enter")
    expect(page).to_have_url(f"{base}/postmortems/{incident.ref}/")

    fill_sections(page, kind)
    fill_impact(page, kind)
    add_factor(page)
    if kind == Kind.FULL:
        add_whys(page)
        page.get_by_role("button", name="Sign as Tech Lead").press("Enter")
        expect(page.locator("#signoff").get_by_role("button", name="Withdraw")).to_be_visible()

    page.get_by_role("button", name="Move to In review").press("Enter")
    expect(page.locator("#workflow [aria-current=step]")).to_have_text("In review")
    # The focus is on the next step already: Enter moves on.
    expect(page.get_by_role("button", name="Move to Final")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#workflow [aria-current=step]")).to_have_text("Final")
    expect(page.locator("#doc-state-badges")).to_contain_text("Final")

    page.reload()
    headings = page.locator(".doc__main > .doc-group > h2").all_inner_texts()
    assert headings == SEED_HEADINGS[kind]
    expect(page.locator("#revisions tbody tr").first).to_contain_text("In review → Final")
    assert problems == []
