"""The document page: the seed's headings in the seed's order, the incident's
facts from its milestones, and a query count that does not grow with rows."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from incidents.services import timeline_edit
from postmortems.kinds import TEMPLATES, Kind
from postmortems.services import postmortem_start
from postmortems.views import document
from postmortems.views.outline import OUTLINES, Sec, section_keys
from tests.factories import (
    ActionItemFactory,
    AttachmentFactory,
    ContributingFactorFactory,
    IncidentFactory,
    RevisionFactory,
    TimelineEventFactory,
    UserFactory,
    WhyFactory,
)

pytestmark = pytest.mark.django_db

# The H2 headings of each template, in the seed's order.
SEED_HEADINGS = {
    Kind.HOTFIX: [
        "Summary",
        "Timeline",
        "Root Cause",
        "Impact",
        "What Went Well",
        "What Could Improve",
        "Follow-Up Actions",
        "Lessons Learned",
        "Appendix",
        "Revision History",
    ],
    Kind.FULL: [
        "Executive Summary",
        "Impact",
        "Timeline",
        "Root Cause Analysis",
        "Detection and Response",
        "Resolution",
        "Lessons Learned",
        "Action Items",
        "Prevention Measures",
        "Supporting Data",
        "Follow-up",
        "Communication",
        "Appendices",
        "Sign-off",
        "Revision History",
    ],
    Kind.REVIEW: [
        "Executive Summary",
        "Impact",
        "Timeline",
        "Root Cause",
        "Contributing Factors",
        "What Went Well",
        "What Could Be Improved",
        "Action Items",
        "Lessons Learned",
        "Prevention",
        "Supporting Data",
        "Revision History",
    ],
    Kind.PULSE: [
        "Summary",
        "Timeline",
        "Root cause",
        "Contributing factors",
        "What worked",
        "What failed",
        "Prevent repeat",
        "Action items",
        "Supporting Data",
        "Revision History",
    ],
}


def detail(postmortem) -> str:
    return reverse("postmortems:detail", args=[postmortem.incident.ref])


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("kind", list(Kind))
def test_every_section_of_the_template_is_placed_once_in_its_order(kind):
    template = TEMPLATES[kind]
    assert section_keys(template) == [section.key for section in template.sections]
    assert all(isinstance(e, Sec) or e.name for e in OUTLINES[kind])


@pytest.mark.parametrize("kind", list(Kind))
def test_the_page_shows_the_seeds_headings_in_order(signed_in, kind):
    hotfix = kind == Kind.HOTFIX
    incident = IncidentFactory(is_hotfix=hotfix, change_id="CHG-20261101-fix" if hotfix else "")
    postmortem = postmortem_start(incident=incident, kind=kind, facilitator=None)
    content = signed_in.get(detail(postmortem)).content.decode()
    main = content[content.index('<div class="doc__main">') : content.index("<aside")]
    headings = re.findall(r"<h2>([^<]+)</h2>", main)
    assert headings == SEED_HEADINGS[kind]
    subheadings = re.findall(r"<h3>([^<]+)</h3>", main)
    for section in TEMPLATES[kind].sections:
        if section.group and section.title != section.group:
            assert section.title.replace("'", "&#x27;") in subheadings


def test_the_incidents_facts_come_from_its_milestones(signed_in):
    incident = IncidentFactory(severity="SEV-1")
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=1)
    steps = [(0, "started"), (7, "detected"), (13, "triaged"), (39, "mitigated"), (108, "resolved")]
    for minutes, milestone in steps:
        TimelineEventFactory(
            incident=incident,
            milestone=milestone,
            occurred_at=start + dt.timedelta(minutes=minutes),
            text=f"{milestone} here",
            actor="Monitoring",
        )
    postmortem = postmortem_start(incident=incident, kind="full", facilitator=None)
    response = signed_in.get(detail(postmortem))
    assertContains(response, '<abbr title="Time to detect">TTD</abbr></dt><dd>7m</dd>')
    assertContains(response, '<abbr title="Time to respond">TTR</abbr></dt><dd>6m</dd>')
    assertContains(response, '<abbr title="Time to mitigate">TTM</abbr></dt><dd>39m</dd>')
    assertContains(response, "<dt>Time to resolve</dt><dd>1h 48m</dd>", html=True)
    assertContains(response, "<dt>Duration</dt><dd>1h 48m</dd>", html=True)
    assertContains(response, "SEV-1 · Critical: full outage")
    # The timeline as the seed's table: time, event, actor.
    assertContains(response, '<th scope="col">Actor</th>', html=True)
    assertContains(response, "detected here")


def _fill(postmortem, rows: int) -> None:
    TimelineEventFactory.create_batch(rows, incident=postmortem.incident)
    ContributingFactorFactory.create_batch(rows, postmortem=postmortem)
    WhyFactory.create_batch(rows, postmortem=postmortem)
    ActionItemFactory.create_batch(rows, postmortem=postmortem)
    RevisionFactory.create_batch(rows, postmortem=postmortem)
    postmortem.signoffs.update(user=UserFactory(), signed_at=timezone.now())
    postmortem.related_incidents.add(*IncidentFactory.create_batch(2))


@pytest.mark.parametrize("rows", [5, 200])
def test_the_query_count_is_the_same_with_5_and_200_rows(
    signed_in, django_assert_num_queries, settings, tmp_path, rows
):
    settings.MEDIA_ROOT = tmp_path
    postmortem = postmortem_start(incident=IncidentFactory(), kind="full", facilitator=None)
    _fill(postmortem, rows)
    AttachmentFactory.create_batch(2, postmortem=postmortem)
    # session, user, postmortem (+incident, facilitator); sections, events,
    # attachments, related incidents, impact fields, factors, whys, actions
    # (+owner, verifier, factor), sign-offs (+user), revisions (+author),
    # workflow history, the add-action form's people: 15, the goal of the
    # performance issue (the checks panel loads after the page).
    with django_assert_num_queries(15):
        response = signed_in.get(detail(postmortem))
    assert len(response.context["factors"]) == rows
    assert len(response.context["whys"]) == rows
    assert len(response.context["actions"]) == rows
    assert response.content.decode().count('<td class="nowrap mono"><time') == rows


def test_a_timeline_change_re_renders_only_the_rows_around_it(signed_in, monkeypatch):
    incident = IncidentFactory()
    postmortem_start(incident=incident, kind=Kind.FULL, facilitator=None)
    start = timezone.now() - dt.timedelta(days=1)
    events = [
        TimelineEventFactory(incident=incident, occurred_at=start + dt.timedelta(minutes=n))
        for n in range(2 * document.TIMELINE_CHUNK + 10)
    ]
    renders = []
    real = document.render_to_string

    def counting(template, context=None, **kwargs):
        if template.endswith("#doc-timeline-rows"):
            renders.append(len(context["events"]))
        return real(template, context, **kwargs)

    monkeypatch.setattr(document, "render_to_string", counting)
    page = reverse("postmortems:detail", args=[incident.ref])
    signed_in.get(page)
    assert renders == [document.TIMELINE_CHUNK, document.TIMELINE_CHUNK, 10]
    renders.clear()
    # An edit in the second chunk: that chunk alone is rendered again.
    timeline_edit(event=events[150], by=UserFactory(), version=1, text="Rollback finished")
    response = signed_in.get(page)
    assert renders == [document.TIMELINE_CHUNK]
    assertContains(response, "Rollback finished")
    # Every row is there, each once.
    assert response.content.decode().count('<td class="nowrap mono"><time') == len(events)
