"""Two people on one incident page, each in their own browser, served by the
real ASGI server: one adds to the timeline, the other sees it without
reloading, and each sees the other's presence. With Redis, each is served by
a different server process sharing the live bus."""

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.conftest import need, signed_in_page
from tests.factories import IncidentFactory, UserFactory
from tests.processes import start_asgi_server, stop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def servers(request) -> Iterator[list[str]]:
    """One server with the in-process bus, or two sharing Redis."""
    redis_url = os.environ.get("REDIS_URL", "") if request.param == 2 else ""
    if request.param == 2 and not redis_url:
        need("Redis", "two server processes share the live bus only through REDIS_URL")
    started = [start_asgi_server(redis_url) for _ in range(request.param)]
    yield [url for _, url in started]
    for process, _ in started:
        stop(process)


@pytest.mark.parametrize("servers", [1, 2], indirect=True, ids=["one-process", "two-processes"])
def test_a_change_reaches_the_other_reader_without_a_reload(browser, servers):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop in this thread
    incident = IncidentFactory(title="Checkout errors in EU")
    ana = UserFactory(first_name="Ana", last_name="Silva")
    ben = UserFactory(first_name="Ben", last_name="Okoro")
    url_a = f"{servers[0]}{incident.get_absolute_url()}"
    url_b = f"{servers[-1]}{incident.get_absolute_url()}"

    page_b = signed_in_page(browser, ben, servers[-1])
    page_b.goto(url_b)
    page_a = signed_in_page(browser, ana, servers[0])
    page_a.goto(url_a)

    # Each sees the other on the page.
    expect(page_b.locator("#presence")).to_contain_text("Ana Silva", timeout=10_000)
    expect(page_a.locator("#presence")).to_contain_text("Ben Okoro", timeout=10_000)

    # A adds an entry; B's timeline shows it, with no reload of B's page.
    page_b.evaluate("window.__notReloaded = true")
    page_a.locator("#tl-new-text").fill("Rolled back the pool config on every pod")
    page_a.locator("#tl-new-text").press("Enter")
    expect(page_b.locator("#timeline-list")).to_contain_text(
        "Rolled back the pool config on every pod", timeout=5_000
    )
    assert page_b.evaluate("window.__notReloaded") is True


@pytest.mark.parametrize("servers", [1, 2], indirect=True, ids=["one-process", "two-processes"])
def test_a_postmortem_meeting_two_editors(browser, servers):
    """A edits a section and adds a timeline entry: B sees both without a
    reload. B, editing a section when A saves it, is told, and on saving gets
    the conflict view with both texts."""
    from postmortems.services import postmortem_start

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    incident = IncidentFactory(title="Queue backlog delays emails")
    postmortem = postmortem_start(incident=incident, kind="review", facilitator=None)
    ana = UserFactory(first_name="Ana", last_name="Silva")
    ben = UserFactory(first_name="Ben", last_name="Okoro")
    doc_a = f"{servers[0]}{postmortem.get_absolute_url()}"
    doc_b = f"{servers[-1]}{postmortem.get_absolute_url()}"
    page_b = signed_in_page(browser, ben, servers[-1])
    page_b.goto(doc_b)
    page_a = signed_in_page(browser, ana, servers[0])
    page_a.goto(doc_a)
    expect(page_b.locator("#presence")).to_contain_text("Ana Silva", timeout=10_000)
    page_b.evaluate("window.__notReloaded = true")

    def edit(page, key: str, text: str) -> None:
        page.locator(f"#section-{key}-body [data-inline-view]").click()
        editor = page.locator(f"#id_body_{key}")
        expect(editor).to_be_focused()
        editor.fill(text)
        page.keyboard.press("Control+Enter")

    # A section saved by A appears on B's page; only that block is re-fetched
    # (a mark on another block of B's page survives).
    page_b.evaluate("document.querySelector('[data-block=factors]').dataset.probe = 'kept'")
    edit(page_a, "root_cause", "The pool was sized for last year's traffic.")
    expect(page_a.locator("#section-root_cause-body .prose")).to_contain_text("last year")
    expect(page_b.locator("#section-root_cause-body")).to_contain_text(
        "sized for last year's traffic", timeout=5_000
    )
    expect(page_b.locator("[data-block=factors][data-probe=kept]")).to_have_count(1)

    # A timeline entry added on the incident page appears in B's document.
    page_a.goto(f"{servers[0]}{incident.get_absolute_url()}")
    page_a.locator("#tl-new-text").fill("Paused the bulk mailer")
    page_a.locator("#tl-new-text").press("Enter")
    expect(page_b.locator("#doc-live")).to_contain_text("Paused the bulk mailer", timeout=5_000)

    # B starts on the lessons; A saves the same section first.
    page_a.goto(doc_a)
    page_b.locator("#section-lessons-body [data-inline-view]").click()
    expect(page_b.locator("#id_body_lessons")).to_be_focused()
    page_b.keyboard.type("Ben's lesson: alert on queue age.")
    edit(page_a, "lessons", "Ana's lesson: autoscale on queue age.")
    expect(page_a.locator("#section-lessons-body .prose")).to_contain_text("Ana's lesson")
    expect(page_b.locator(".live-note")).to_contain_text("Changed by Ana Silva", timeout=5_000)
    expect(page_b.locator("#id_body_lessons")).to_have_value("Ben's lesson: alert on queue age.")
    page_b.keyboard.press("Control+Enter")
    conflict = page_b.locator("#section-lessons-body.doc-conflict")
    expect(conflict).to_contain_text("Ana's lesson: autoscale on queue age.")
    expect(conflict.locator("#id_merge_lessons")).to_have_value("Ben's lesson: alert on queue age.")
    assert page_b.evaluate("window.__notReloaded") is True


@pytest.mark.parametrize("servers", [1], indirect=True)
def test_the_facilitator_fixes_what_the_checks_list_and_moves_the_draft_to_final(browser, servers):
    """The demo draft lacks two things; the panel lists them, shrinks as each
    is fixed (over the live channel), and then Final is allowed."""
    from postmortems.demo import load_demo

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    load_demo()
    from postmortems.models import Postmortem

    postmortem = Postmortem.objects.select_related("facilitator").get(state="draft")
    page = signed_in_page(browser, postmortem.facilitator, servers[0])
    page.goto(f"{servers[0]}{postmortem.get_absolute_url()}")
    panel = page.locator("#checks")
    expect(panel).to_contain_text("2 to fix before Final")
    expect(panel).to_contain_text("“should have noticed” in What Went Poorly")
    expect(panel).to_contain_text("has no action answering it")

    # The blaming sentence goes: the section is rewritten toward the system.
    page.locator("#section-went_poorly-body [data-inline-view]").click()
    editor = page.locator("#id_body_went_poorly")
    expect(editor).to_be_focused()
    text = editor.input_value().replace(
        "The on-call engineer should have noticed the pool graph before the alert fired.",
        "No alert watched the pool graph, so it went unseen until the 5xx alert fired.",
    )
    editor.fill(text)
    page.keyboard.press("Control+Enter")
    expect(panel).to_contain_text("1 to fix before Final")
    expect(panel).not_to_contain_text("should have noticed")

    # The game-day action now answers the connection-budget factor.
    page.get_by_role("button", name="Edit AI-005").click()
    edit = page.locator("#actions-panel tr.action-edit")
    factor = edit.get_by_label("Answers factor (optional)")
    budget = factor.locator("option", has_text="connection-budget").first.get_attribute("value")
    factor.select_option(budget)
    edit.get_by_role("button", name="Save AI-005").click()
    expect(panel).to_contain_text("Ready for Final.")

    page.get_by_role("button", name="Move to In review").click()
    expect(page.locator("#workflow [aria-current=step]")).to_have_text("In review")
    page.get_by_role("button", name="Move to Final").click()
    expect(page.locator("#workflow [aria-current=step]")).to_have_text("Final")
