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
    # The fresh add form takes the focus once htmx settles; wait for it, or
    # the next keystrokes race it on a busy machine.
    expect(page.locator("#id_factor_new_layer")).to_be_focused()


def add_and_finish_action(page: Page) -> None:
    page.locator("#id_action_new_title").focus()
    page.keyboard.type("Alert on pool saturation")
    page.get_by_label("Detect", exact=True).check()
    page.get_by_label("Owning team").fill("Payments SRE")
    page.get_by_label("Done when").fill("The alert fires in the next game day")
    page.get_by_role("button", name="Add action").press("Enter")
    row = page.locator("#actions-panel tbody tr")
    expect(row).to_contain_text("AI-001")
    expect(page.locator("#id_action_new_title")).to_be_focused()

    row.get_by_role("button", name="Edit AI-001").press("Enter")
    edit = page.locator("#actions-panel tr.action-edit")
    expect(edit.get_by_label("Title")).to_be_focused()
    edit.get_by_label("Status").select_option("done")
    edit.get_by_label("I have seen the verification signal").check()
    edit.get_by_role("button", name="Save AI-001").press("Enter")
    expect(row).to_contain_text("Verified by")
    expect(row.get_by_role("button", name="Edit AI-001")).to_be_focused()


def add_whys(page: Page) -> None:
    for question in ("Why did checkout fail?", "Why was the pool exhausted?"):
        page.locator("#id_why_new_question").focus()
        page.keyboard.type(question)
        page.keyboard.press("Tab")
        page.keyboard.type("Because of the config change.")
        page.get_by_role("button", name="Add why").press("Enter")
        expect(page.locator("#whys-panel .row").filter(has_text=question)).to_have_count(1)
        expect(page.locator("#id_why_new_question")).to_be_focused()


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
    add_and_finish_action(page)
    if kind == Kind.FULL:
        add_whys(page)
        page.get_by_role("button", name="Sign as Tech Lead").press("Enter")
        expect(page.locator("#signoff").get_by_role("button", name="Withdraw")).to_be_visible()

    page.get_by_role("button", name="Move to In review").press("Enter")
    expect(page.locator("#workflow [aria-current=step]")).to_have_text("In review")
    expect(page.locator("#doc-state-badges")).to_contain_text("In review")
    # The focus is on the next step already: Enter tries it. The incident has
    # no roles, scope or milestones yet, so the checks refuse Final and say why.
    expect(page.get_by_role("button", name="Move to Final")).to_be_focused()
    page.keyboard.press("Enter")
    refusal = page.locator("#workflow [role=alert]")
    expect(refusal).to_contain_text("Not Final yet")
    expect(refusal).to_contain_text("Nobody held the incident commander role")
    expect(page.locator("#workflow [aria-current=step]")).to_have_text("In review")
    problems[:] = [p for p in problems if not p.startswith("422 ")]  # that refusal

    page.reload()
    headings = page.locator(".doc__main > .doc-group > h2").all_inner_texts()
    assert headings == SEED_HEADINGS[kind]
    expect(page.locator("#revisions tbody tr").first).to_contain_text("Draft → In review")
    assert problems == []


@pytest.fixture
def review(demo):
    from postmortems.services import postmortem_start

    return postmortem_start(
        incident=IncidentFactory(title="Browser review"), kind="review", facilitator=None
    )


def test_a_failed_save_keeps_the_text_and_says_so(live_server, review, page):
    base = live_server.url
    sign_in(page, base)
    page.goto(f"{base}/postmortems/{review.incident.ref}/")
    body = page.locator("#section-root_cause-body")
    body.locator("[data-inline-view]").click()
    editor = page.locator("#id_body_root_cause")
    expect(editor).to_be_focused()
    page.keyboard.type("The pool was too small.")

    save = re.compile(r"/sections/\d+/$")
    page.route(save, lambda route: route.fulfill(status=500, body="boom"))
    page.keyboard.press("Control+Enter")
    expect(body.locator("[data-inline-error]")).to_contain_text("the server answered 500")
    expect(editor).to_have_value("The pool was too small.")

    page.unroute(save)
    page.route(save, lambda route: route.abort())
    page.keyboard.press("Control+Enter")
    expect(body.locator("[data-inline-error]")).to_contain_text("could not be reached")
    expect(editor).to_have_value("The pool was too small.")

    page.unroute(save)
    page.keyboard.press("Control+Enter")
    expect(body.locator(".prose")).to_have_text("The pool was too small.")


def test_escape_cancels_and_a_second_editor_sees_the_conflict(live_server, review, page):
    base = live_server.url
    sign_in(page, base)
    url = f"{base}/postmortems/{review.incident.ref}/"
    other = page.context.browser.new_page()  # a second person, in a session of their own
    sign_in(other, base)
    for tab in (page, other):
        tab.goto(url)
        tab.locator("#section-lessons-body [data-inline-view]").click()
        expect(tab.locator("#id_body_lessons")).to_be_focused()

    page.keyboard.type("Typed, then dropped.")
    page.keyboard.press("Escape")
    expect(page.locator("#section-lessons-body form")).to_have_count(0)
    expect(page.locator("#section-lessons-body")).not_to_contain_text("Typed, then dropped.")

    expect(page.locator("#section-lessons-body [data-inline-view]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#id_body_lessons")).to_be_focused()
    page.keyboard.type("Mine, saved first.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#section-lessons-body .prose")).to_have_text("Mine, saved first.")

    other.locator("#id_body_lessons").type("Theirs, saved second.")
    other.keyboard.press("Control+Enter")
    conflict = other.locator("#section-lessons-body.doc-conflict")
    expect(conflict).to_contain_text("Mine, saved first.")
    expect(conflict.locator("#id_merge_lessons")).to_have_value("Theirs, saved second.")
    other.get_by_role("button", name="Use mine").click()
    expect(other.locator("#section-lessons-body .prose")).to_have_text("Theirs, saved second.")
