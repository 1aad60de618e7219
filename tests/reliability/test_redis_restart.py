"""Redis restarted in the middle of a meeting: two people on one incident,
each served by a different server process sharing a redis-server of the
test's own, which is killed and started again (empty, as after a crash)."""

import os

import pytest
from playwright.sync_api import Page, expect

from incidents.models import TimelineEvent
from tests.conftest import signed_in_page
from tests.factories import IncidentFactory, UserFactory
from tests.processes import redis_server, start_asgi_server, stop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_entry(page: Page, text: str) -> None:
    page.locator("#tl-new-text").fill(text)
    page.locator("#tl-new-text").press("Enter")
    expect(page.locator("#timeline-list")).to_contain_text(text)  # accepted


# Empty after the restart (a crash), or with its old keys back (docker-compose
# keeps an append-only file): a cached fragment from before must not be served.
@pytest.mark.parametrize("keep_data", [False, True], ids=["empty", "data-kept"])
def test_after_a_redis_restart_pages_catch_up_and_no_accepted_edit_is_lost(
    browser, tmp_path, keep_data
):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop in this thread
    incident = IncidentFactory(title="Checkout errors in EU")
    ana = UserFactory(first_name="Ana", last_name="Silva")
    ben = UserFactory(first_name="Ben", last_name="Okoro")
    with redis_server(tmp_path, keep_data=keep_data) as redis:
        started = [start_asgi_server(redis.url) for _ in range(2)]
        try:
            (_, url_a), (_, url_b) = started
            page_b = signed_in_page(browser, ben, url_b)
            page_b.goto(f"{url_b}{incident.get_absolute_url()}")
            page_a = signed_in_page(browser, ana, url_a)
            page_a.goto(f"{url_a}{incident.get_absolute_url()}")
            expect(page_b.locator("#presence")).to_contain_text("Ana Silva")
            page_b.evaluate("window.__notReloaded = true")
            timeline_b = page_b.locator("#timeline-list")
            add_entry(page_a, "Before the restart: paused the deploys")
            expect(timeline_b).to_contain_text("Before the restart")

            redis.kill()
            # Saved though nobody can be told: the bus is best effort.
            add_entry(page_a, "While Redis was down: rolled back the pool config")
            redis.start()

            # Ben's server resubscribes and tells his page to catch up.
            expect(timeline_b).to_contain_text("While Redis was down", timeout=20_000)
            # And the live channel works again: the next change arrives as one.
            add_entry(page_a, "After the restart: error rate back to normal")
            expect(timeline_b).to_contain_text("After the restart")

            texts = list(
                TimelineEvent.objects.filter(incident=incident).values_list("text", flat=True)
            )
            for text in ("Before the restart", "While Redis was down", "After the restart"):
                assert sum(text in t for t in texts) == 1, texts
                expect(timeline_b).to_contain_text(text)
            assert page_b.evaluate("window.__notReloaded") is True
        finally:
            for process, _ in started:
                stop(process)
