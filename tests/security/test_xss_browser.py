"""Untrusted text never runs: a corpus of XSS payloads stored in every
Markdown field and every plain field, every page that shows them opened in
headless Chromium. No dialog opens, no script runs, no ``javascript:`` or
``data:`` link or image survives, no element carries an event handler or an
htmx attribute from user text, and the Content-Security-Policy reports
nothing (a report would mean markup got through and only the policy stopped
it)."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, expect

from postmortems.models import ImpactField, Section
from postmortems.services import postmortem_start
from tests.factories import (
    ActionItemFactory,
    AttachmentFactory,
    CheckpointFactory,
    ContributingFactorFactory,
    ImpactScopeFactory,
    IncidentFactory,
    StatusUpdateFactory,
    TimelineEventFactory,
    WhyFactory,
)
from tests.security.xss_corpus import PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every CSP violation and every script the page did not bring itself.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
});
"""

# What the rendered DOM must not hold, whatever the payload.
DOM_PROBLEMS = """
() => {
  const problems = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (attr.name.startsWith('on')) problems.push(`${el.tagName} ${attr.name}`);
      if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href'].includes(attr.name)
          && (value.startsWith('javascript:') || value.startsWith('data:')
              || value.startsWith('vbscript:'))) {
        problems.push(`${el.tagName} ${attr.name}=${attr.value}`);
      }
    }
  }
  const foreign = 'iframe, object, embed, base, svg script, meta[http-equiv]';
  for (const el of document.querySelectorAll(foreign)) {
    problems.push(`element ${el.tagName}`);
  }
  for (const el of document.querySelectorAll('[hx-get="/logout/"]')) {
    problems.push(`htmx from user text ${el.outerHTML.slice(0, 80)}`);
  }
  return problems;
}
"""


def stuffed(index: int) -> str:
    """One payload per plain field, in turn through the corpus (each fits
    the shortest of them, 120 characters)."""
    return PAYLOADS[index % len(PAYLOADS)]


def with_payloads(factory, first: int, *fields: str, **fixed):
    return factory(**fixed, **{field: stuffed(first + n) for n, field in enumerate(fields)})


@pytest.fixture
def hostile(demo, settings, tmp_path):
    """An incident and its postmortem with a payload in every field that
    shows user text. Made before the browser starts (the ORM refuses to run
    inside Playwright's event loop)."""
    settings.MEDIA_ROOT = tmp_path
    user = get_user_model().objects.get(username=settings.DEMO_USERNAME)
    incident = with_payloads(IncidentFactory, 2, "title", declared_by=user, responders=[user])
    for n, payload in enumerate(PAYLOADS):
        with_payloads(TimelineEventFactory, n, "actor", "source", incident=incident, text=payload)
    scope = ("user_group", "fault_domain", "dependency", "recent_change")
    with_payloads(ImpactScopeFactory, 3, *scope, incident=incident)
    status = ("known", "unknown", "impact", "mitigation")
    with_payloads(StatusUpdateFactory, 8, *status, incident=incident)
    checkpoint = ("state", "hypothesis", "customer_impact", "in_flight_actions", "comms_cadence")
    with_payloads(CheckpointFactory, 12, *checkpoint, incident=incident)
    postmortem = postmortem_start(incident=incident, kind="full", facilitator=user)
    Section.objects.filter(postmortem=postmortem).update(body="\n\n".join(PAYLOADS))
    ImpactField.objects.filter(postmortem=postmortem).update(value=stuffed(17))
    factor = with_payloads(ContributingFactorFactory, 18, "description", postmortem=postmortem)
    with_payloads(WhyFactory, 19, "question", "answer", postmortem=postmortem)
    # The forms and the API refuse these links; the page must not trust that.
    links = ["javascript:alert(1)", "data:text/html,<script>alert(2)</script>", " javascript:x"]
    for n, url in enumerate(links, start=1):
        with_payloads(
            ActionItemFactory, 21 + 2 * n, "title", "verification_signal",
            postmortem=postmortem, owner=user, number=n, tracking_url=url, factor=factor,
        )  # fmt: skip
    with_payloads(AttachmentFactory, 28, "caption", "original_name", postmortem=postmortem)
    return incident


def test_no_payload_runs_on_any_page(hostile, live_server, page: Page):
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(WATCH)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(settings.DEMO_USERNAME)
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/incidents/$"))

    ref = hostile.ref
    pages = [
        reverse("incidents:list"),
        reverse("incidents:detail", args=[ref]),
        reverse("postmortems:list"),
        reverse("postmortems:detail", args=[ref]),
        reverse("postmortems:meeting", args=[ref]),
        reverse("actions:list"),
    ]
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(DOM_PROBLEMS) == [], path
        assert page.evaluate("window.__csp") == [], path
    # The Markdown editor's live preview goes through the same sanitizer.
    page.goto(f"{live_server.url}{reverse('postmortems:detail', args=[ref])}")
    section = page.locator("[id^=section-][id$=-body]").first
    section.locator("[data-inline-view]").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.evaluate(DOM_PROBLEMS) == []
    assert page.evaluate("window.__csp") == []

    assert dialogs == []
    assert errors == []
