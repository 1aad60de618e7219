"""Live refresh of the document, part by part: a change announces the block
it changed, and that block alone can be fetched as the page shows it."""

import re

import pytest
from django.urls import reverse

from postmortems.kinds import Kind
from postmortems.models import ContributingFactor
from postmortems.services import live_part, postmortem_start, row_add, section_save
from postmortems.views.outline import OUTLINES, Sec
from tests.factories import (
    ActionItemFactory,
    IncidentFactory,
    TimelineEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def postmortem():
    return postmortem_start(incident=IncidentFactory(), kind=Kind.FULL, facilitator=None)


def detail(postmortem) -> str:
    return reverse("postmortems:detail", args=[postmortem.incident.ref])


def block(postmortem, anchor: str) -> str:
    return reverse("postmortems:block", args=[postmortem.incident.ref, anchor])


@pytest.mark.parametrize(
    ("target", "part"),
    [
        ("section:executive_summary", "section-executive_summary"),
        ("impact:users_affected", "impact-fields"),
        ("factor:12", "factors"),
        ("why:3", "whys"),
        ("action:AI-004", "actions"),
        ("signoff:Engineering Lead", "signoffs"),
        ("workflow", "workflow"),
        ("attachment:9", "attachments"),
        ("related", "related"),
        ("postmortem", "document"),
    ],
)
def test_a_revision_target_names_the_block_that_listens_for_it(target, part):
    assert live_part(target) == part


def test_a_section_save_announces_its_section_and_the_history(
    published, ana, postmortem, django_capture_on_commit_callbacks
):
    section = postmortem.sections.get(key="executive_summary")
    with django_capture_on_commit_callbacks(execute=True):
        section_save(section=section, by=ana, body="Checkout failed.", version=section.version)
    assert [(e.target, e.version, e.actor) for e in published] == [
        ("section-executive_summary", 2, "Ana Silva"),
        ("revisions", 0, "Ana Silva"),
    ]


def test_a_rolled_back_change_announces_nothing(published, ana, postmortem):
    # No commit (the test's transaction is never committed): nothing goes out.
    row_add(
        model=ContributingFactor,
        postmortem=postmortem,
        by=ana,
        description="No canary",
        layer="technical_trigger",
    )
    assert published == []


@pytest.mark.parametrize("kind", list(Kind))
def test_every_block_of_every_template_can_be_fetched_alone(client, kind):
    user = UserFactory()
    client.force_login(user)
    incident = IncidentFactory(is_hotfix=True, change_id="CHG-2026-11-24-login")
    postmortem = postmortem_start(incident=incident, kind=kind, facilitator=None)
    page = client.get(
        reverse("postmortems:detail", args=[postmortem.incident.ref])
    ).content.decode()
    anchors = re.findall(r'data-block="([^"]+)"', page)
    # Every item of the outline, plus the facts card, the workflow and the checks.
    assert len(anchors) == len(OUTLINES[kind]) + 3
    for anchor in anchors:
        response = client.get(block(postmortem, anchor))
        assert response.status_code == 200, anchor
        html = response.content.decode()
        # The block comes back as the page has it, ready to listen again.
        assert f'data-block="{anchor}"' in html
        assert 'hx-trigger="sse:' in html


def test_each_block_listens_for_its_own_part(client, postmortem):
    client.force_login(UserFactory())
    page = client.get(
        reverse("postmortems:detail", args=[postmortem.incident.ref])
    ).content.decode()
    triggers = dict(re.findall(r'data-block="([^"]+)"\s+hx-get="[^"]+" hx-trigger="([^"]+)"', page))
    assert triggers["section-executive_summary"] == "sse:section-executive_summary"
    assert triggers["factors"] == "sse:factors"
    assert triggers["timeline"] == "sse:timeline"
    assert triggers["revisions"] == "sse:revisions"
    sections = [e.key for e in OUTLINES[Kind.FULL] if isinstance(e, Sec)]
    assert all(f"section-{key}" in triggers for key in sections)


def test_a_block_shows_the_change_another_person_just_made(client, ana, postmortem):
    client.force_login(UserFactory())
    row_add(
        model=ContributingFactor,
        postmortem=postmortem,
        by=ana,
        description="The canary stage was skipped",
        layer="rollout_control_gap",
    )
    html = client.get(block(postmortem, "factors")).content.decode()
    assert "The canary stage was skipped" in html
    # Only that block: no other part of the document comes with it.
    assert "Executive Summary" not in html


def test_the_facts_block_follows_the_incidents_milestones(client, postmortem):
    client.force_login(UserFactory())
    TimelineEventFactory(incident=postmortem.incident, milestone="detected", text="Pager fired")
    html = client.get(block(postmortem, "facts")).content.decode()
    assert "Time to detect" in html or "TTD" in html


def test_the_workflow_block_carries_the_header_badge_along(client, postmortem):
    client.force_login(UserFactory())
    html = client.get(block(postmortem, "workflow")).content.decode()
    assert 'id="doc-state-badges" hx-swap-oob="true"' in html


def test_an_unknown_block_is_404(client, postmortem):
    client.force_login(UserFactory())
    assert client.get(block(postmortem, "no-such-part")).status_code == 404


@pytest.mark.parametrize("rows", [2, 40])
def test_a_section_block_costs_the_same_whatever_the_document_holds(
    client, postmortem, django_assert_num_queries, rows
):
    # Every reader re-fetches a section's block after each save of it.
    client.force_login(UserFactory())
    TimelineEventFactory.create_batch(rows, incident=postmortem.incident)
    ActionItemFactory.create_batch(rows, postmortem=postmortem)
    section = postmortem.sections.get(key="executive_summary")
    section_save(section=section, by=UserFactory(), body="**Pool exhausted** at peak", version=1)
    # session, user, the postmortem with its incident, the section
    with django_assert_num_queries(4):
        html = client.get(block(postmortem, "section-executive_summary")).content.decode()
    assert "<strong>Pool exhausted</strong> at peak" in html
    assert 'data-block="section-executive_summary"' in html
