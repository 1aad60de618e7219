"""The timeline panel: add at scribe speed, bad input kept, milestones moved,
edit conflicts, delete with history, the kind filter, access and query counts."""

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from incidents.models import TimelineEvent, TimelineEventRevision
from incidents.services import timeline_edit
from incidents.views.timeline import SHOWN
from tests.factories import IncidentFactory, TimelineEventFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)
HTMX = {"HX-Request": "true"}


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def incident():
    return IncidentFactory()


def url(name: str, incident, *args) -> str:
    return reverse(f"incidents:{name}", args=[incident.ref, *args])


def entry(incident, minutes: int, text: str = "Entry", **fields) -> TimelineEvent:
    return TimelineEventFactory(
        incident=incident, occurred_at=T0 + dt.timedelta(minutes=minutes), text=text, **fields
    )


def post_add(client, incident, **fields):
    data = {"occurred_at": "", "kind": "fact", "milestone": "", "text": "", **fields}
    return client.post(url("timeline_add", incident), data, headers=HTMX)


def edit_data(event: TimelineEvent, **changes) -> dict:
    data = {
        "version": event.version,
        "occurred_at": f"{timezone.localtime(event.occurred_at):%Y-%m-%d %H:%M}",
        "kind": event.kind,
        "milestone": event.milestone,
        "text": event.text,
        "actor": event.actor,
        "source": event.source,
    }
    return {**data, **changes}


def triggered(response) -> set[str]:
    header = response.headers.get("HX-Trigger-After-Swap")
    return set(json.loads(header)) if header else set()


# Adding


def test_a_blank_time_means_now_and_a_fresh_form_comes_back(signed_in, incident):
    before = timezone.now()
    response = post_add(
        signed_in, incident, text="Error rate alert fired", kind="action", actor="Ops"
    )
    assert response.status_code == 200
    event = incident.events.get()
    assert before <= event.occurred_at <= timezone.now()
    assert (event.text, event.kind, event.actor) == ("Error rate alert fired", "action", "Ops")
    assert triggered(response) == {"incident-changed"}
    content = response.content.decode()
    assert content.lstrip().startswith('<form class="timeline-add"')
    # The cursor waits in an empty text field; kind and actor stay for the next entry.
    assertContains(
        response,
        '<input type="text" name="text" autocomplete="off" aria-keyshortcuts="n" '
        'id="tl-new-text" required autofocus>',
        html=True,
    )
    assertContains(response, '<option value="action" selected>Action / command</option>', html=True)
    assertContains(response, 'value="Ops"')
    assertContains(response, "Added the")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:05", "today 14:05"),
        ("2026-11-24 14:05", dt.datetime(2026, 11, 24, 13, 5, tzinfo=dt.UTC)),
        ("2026-11-24T14:05:00+01:00", dt.datetime(2026, 11, 24, 13, 5, tzinfo=dt.UTC)),
    ],
)
def test_typed_times_are_read_in_the_viewers_zone(signed_in, incident, typed, expected):
    signed_in.cookies["tz"] = "Europe/Berlin"
    assert post_add(signed_in, incident, text="Rolled back", occurred_at=typed).status_code == 200
    berlin = ZoneInfo("Europe/Berlin")
    if expected == "today 14:05":
        expected = dt.datetime.combine(timezone.localdate(timezone=berlin), dt.time(14, 5), berlin)
    assert incident.events.get().occurred_at == expected


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"occurred_at": "half past two"}, "occurred_at", "is not a time I can read"),
        ({"text": "   "}, "text", "This field is required."),
        (
            {"source": "file:///var/log/app.log"},
            "source",
            "A link must start with http:// or https://.",
        ),
    ],
)
def test_bad_input_gets_a_field_error_and_keeps_what_was_typed(
    signed_in, incident, fields, field, message
):
    typed = {
        "occurred_at": "14:05",
        "kind": "hypothesis",
        "text": "Pool exhausted?",
        "actor": "Dana",
        "source": "https://grafana.example.com/d/1",
        **fields,
    }
    response = post_add(signed_in, incident, **typed)
    assert response.status_code == 422
    assert not incident.events.exists()
    assert triggered(response) == set()
    assertContains(response, message, status_code=422)
    assertContains(response, f'id="tl-new-{field}_error"', status_code=422)
    for name in ("occurred_at", "actor", "source"):
        assertContains(response, f'value="{typed[name]}"', status_code=422)
    if typed["text"].strip():
        assertContains(response, 'value="Pool exhausted?"', status_code=422)
    assertContains(response, '<option value="hypothesis" selected>', status_code=422)
    # The cursor goes to the field to fix.
    assert f'id="tl-new-{field}"' in _autofocused(response)


def _autofocused(response) -> str:
    """The one tag with autofocus: htmx puts the cursor there after the swap."""
    content = response.content.decode()
    assert content.count(" autofocus") == 1
    at = content.index(" autofocus")
    return content[content.rindex("<", 0, at) : content.index(">", at) + 1]


def test_a_taken_milestone_says_where_it_is_and_a_second_submit_moves_it(signed_in, incident):
    holder = entry(incident, 5, "Error rate alert", milestone="detected")
    typed = {"occurred_at": "2026-11-24 14:03", "text": "Synthetic check failed"}
    response = post_add(signed_in, incident, milestone="detected", **typed)
    assert response.status_code == 422
    assertContains(response, "“Detected” is already set on the entry at", status_code=422)
    assertContains(response, "Error rate alert", status_code=422)
    assertContains(response, "Move milestone here", status_code=422)
    assert 'name="move_milestone"' in _autofocused(response)
    assertContains(response, 'value="Synthetic check failed"', status_code=422)
    assert incident.events.count() == 1

    response = post_add(signed_in, incident, milestone="detected", move_milestone="on", **typed)
    assert response.status_code == 200
    holder.refresh_from_db()
    assert holder.milestone == ""
    assert incident.events.get(milestone="detected").text == "Synthetic check failed"
    assert TimelineEventRevision.objects.get(event=holder).milestone == "detected"


def test_the_move_checkbox_is_offered_only_for_a_taken_milestone(signed_in, incident):
    response = post_add(signed_in, incident, text="")
    assertNotContains(response, "Move milestone here", status_code=422)


def test_a_form_without_htmx_redirects_to_the_page_after_saving(signed_in, incident):
    data = {"occurred_at": "", "kind": "fact", "milestone": "", "text": "No JS here"}
    response = signed_in.post(url("timeline_add", incident), data)
    assert response.status_code == 302
    assert response["Location"] == incident.get_absolute_url()


# The list


def test_the_list_is_in_time_order_with_offsets_from_the_start(signed_in, incident):
    entry(incident, 30, "Rolled back", kind="action")
    entry(incident, 0, "Impact started", milestone="started")
    entry(incident, 14, "Alert fired", milestone="detected", highlighted=True)
    response = signed_in.get(url("timeline", incident), headers=HTMX)
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="timeline-list"')
    assert "<html" not in content
    order = ["Impact started", "Alert fired", "Rolled back"]
    assert [content.index(t) for t in order] == sorted(content.index(t) for t in order)
    for offset in ("T+00:00", "T+00:14", "T+00:30"):
        assertContains(response, f'<span class="timeline__offset">{offset}</span>', html=True)
    assertContains(response, '<span class="badge badge--outline">Key event</span>', html=True)
    assertContains(
        response,
        'hx-trigger="incident-changed from:body, timeline-stale, sse:timeline, live-resync"',
    )


def test_the_list_filters_by_kind_and_keeps_the_filter_on_refresh(signed_in, incident):
    entry(incident, 1, "A decision was made", kind="decision")
    entry(incident, 2, "A plain fact", kind="fact")
    response = signed_in.get(url("timeline", incident), {"kind": "decision"}, headers=HTMX)
    assertContains(response, "A decision was made")
    assertNotContains(response, "A plain fact")
    # The refresh sends the chosen kind along (hx-include of the filter select).
    assertContains(response, 'hx-include="#timeline-kind, #timeline-all"')
    empty = signed_in.get(url("timeline", incident), {"kind": "hypothesis"}, headers=HTMX)
    assertContains(empty, "No entries of kind “Hypothesis”")
    # An unknown kind filters nothing.
    assertContains(signed_in.get(url("timeline", incident), {"kind": "bogus"}), "A plain fact")


def test_the_page_filters_too_and_still_takes_its_times_from_every_entry(signed_in, incident):
    entry(incident, 0, "Impact started", milestone="started", kind="fact")
    entry(incident, 14, "We decided to roll back", kind="decision")
    response = signed_in.get(incident.get_absolute_url(), {"kind": "decision"})
    assertContains(response, "We decided to roll back")
    assertNotContains(response, '<p class="timeline__text">Impact started</p>', html=True)
    assertContains(response, '<option value="decision" selected>Decision</option>', html=True)
    # The offset counts from the "started" entry, although the filter hides it.
    assertContains(response, '<span class="timeline__offset">T+00:14</span>', html=True)


# Editing


def test_edit_form_carries_the_version_and_a_save_records_history(signed_in, incident):
    event = entry(incident, 5, "DB failover started")
    form = signed_in.get(url("timeline_edit", incident, event.pk), headers=HTMX)
    assertContains(form, '<input type="hidden" name="version" value="1">', html=True)
    assertContains(form, 'value="DB failover started"')
    response = signed_in.post(
        url("timeline_save", incident, event.pk),
        edit_data(event, text="DB failover started (manual)", kind="action"),
        headers=HTMX,
    )
    assert response.status_code == 200
    assert triggered(response) == {"incident-changed"}
    assertContains(response, "DB failover started (manual)")
    event.refresh_from_db()
    assert (event.text, event.kind, event.version) == ("DB failover started (manual)", "action", 2)
    revision = TimelineEventRevision.objects.get(event=event)
    assert (revision.text, revision.version, revision.changed_by) == (
        "DB failover started",
        1,
        response.wsgi_request.user,
    )
    history = signed_in.get(url("timeline_history", incident, event.pk), headers=HTMX)
    assertContains(history, "v1, edited")
    assertContains(history, "DB failover started")


def test_an_untouched_time_keeps_its_seconds(signed_in, incident):
    event = entry(incident, 0, "Precise")
    event.occurred_at = T0.replace(second=37)
    event.save()
    signed_in.post(
        url("timeline_save", incident, event.pk), edit_data(event, text="Precise!"), headers=HTMX
    )
    event.refresh_from_db()
    assert (event.text, event.occurred_at) == ("Precise!", T0.replace(second=37))


def test_a_bad_edit_keeps_what_was_typed(signed_in, incident):
    event = entry(incident, 5, "Original")
    data = edit_data(event, occurred_at="25:99", text="Typed change")
    response = signed_in.post(url("timeline_save", incident, event.pk), data, headers=HTMX)
    assert response.status_code == 422
    assertContains(response, 'value="25:99"', status_code=422)
    assertContains(response, 'value="Typed change"', status_code=422)
    assertContains(response, "is not a time I can read", status_code=422)
    event.refresh_from_db()
    assert (event.text, event.version) == ("Original", 1)


def test_an_edit_to_a_stale_version_shows_both_and_changes_nothing(signed_in, incident):
    event = entry(incident, 5, "Original text")
    loaded = edit_data(event, text="My careful rewrite")
    timeline_edit(event=event, by=UserFactory(), version=1, text="Their quick fix")
    response = signed_in.post(url("timeline_save", incident, event.pk), loaded, headers=HTMX)
    assert response.status_code == 409
    assert triggered(response) == set()
    assertContains(response, "Their quick fix", status_code=409)
    assertContains(response, "My careful rewrite</textarea>", status_code=409)
    # Saving "mine" again carries the version it now knowingly overwrites.
    assertContains(
        response, '<input type="hidden" name="version" value="2">', html=True, status_code=409
    )
    event.refresh_from_db()
    assert (event.text, event.version) == ("Their quick fix", 2)

    loaded["version"] = 2
    again = signed_in.post(url("timeline_save", incident, event.pk), loaded, headers=HTMX)
    assert again.status_code == 200
    event.refresh_from_db()
    assert (event.text, event.version) == ("My careful rewrite", 3)


def test_an_edit_taking_a_milestone_offers_to_move_it(signed_in, incident):
    entry(incident, 5, "Alert", milestone="detected")
    event = entry(incident, 3, "Customer ticket")
    data = edit_data(event, milestone="detected")
    response = signed_in.post(url("timeline_save", incident, event.pk), data, headers=HTMX)
    assert response.status_code == 422
    assertContains(response, "Move milestone here", status_code=422)
    data["move_milestone"] = "on"
    assert signed_in.post(url("timeline_save", incident, event.pk), data).status_code == 200
    assert incident.events.get(milestone="detected") == event


def test_cancel_restores_the_entry(signed_in, incident):
    event = entry(incident, 5, "As it was")
    response = signed_in.get(url("timeline_entry", incident, event.pk), headers=HTMX)
    assert response.content.decode().lstrip().startswith('<li class="timeline__event')
    assertContains(response, "As it was")
    assertContains(response, f'id="tl-edit-{event.pk}" autofocus')


def test_a_save_without_a_version_is_a_bad_request(signed_in, incident):
    event = entry(incident, 5)
    data = edit_data(event)
    del data["version"]
    assert signed_in.post(url("timeline_save", incident, event.pk), data).status_code == 400


# Deleting and highlighting


def test_delete_keeps_the_history(signed_in, incident):
    event = entry(incident, 5, "Wrong incident, sorry")
    response = signed_in.post(
        url("timeline_delete", incident, event.pk), {"version": 1}, headers=HTMX
    )
    assert (response.status_code, response.content) == (200, b"")
    assert triggered(response) == {"incident-changed"}
    assert not incident.events.exists()
    revision = TimelineEventRevision.objects.get()
    assert (revision.text, revision.change) == ("Wrong incident, sorry", "delete")
    listed = signed_in.get(url("timeline_deleted", incident), headers=HTMX)
    assertContains(listed, "Wrong incident, sorry")


def test_a_stale_delete_deletes_nothing(signed_in, incident):
    event = entry(incident, 5, "Original")
    timeline_edit(event=event, by=None, version=1, text="Changed meanwhile")
    response = signed_in.post(
        url("timeline_delete", incident, event.pk), {"version": 1}, headers=HTMX
    )
    assert response.status_code == 409
    assertContains(response, "Changed meanwhile", status_code=409)
    assert incident.events.filter(pk=event.pk).exists()


def test_highlighting_a_key_event_is_an_edit_with_history(signed_in, incident):
    event = entry(incident, 5, "Rollback finished")
    highlight = url("timeline_highlight", incident, event.pk)
    response = signed_in.post(highlight, {"version": 1, "highlighted": "1"}, headers=HTMX)
    assertContains(response, "Unmark key event")
    assertContains(response, "timeline__event--highlighted")
    event.refresh_from_db()
    assert (event.highlighted, event.version) == (True, 2)
    signed_in.post(highlight, {"version": 2, "highlighted": "0"}, headers=HTMX)
    event.refresh_from_db()
    assert (event.highlighted, event.version) == (False, 3)
    assert TimelineEventRevision.objects.filter(event=event).count() == 2


# Access


def _timeline_urls(incident, pk: int) -> list[tuple[str, str]]:
    gets = [("get", url(name, incident)) for name in ("timeline", "timeline_deleted")] + [
        ("get", url(name, incident, pk))
        for name in ("timeline_entry", "timeline_edit", "timeline_history")
    ]
    posts = [("post", url("timeline_add", incident))] + [
        ("post", url(name, incident, pk))
        for name in ("timeline_save", "timeline_delete", "timeline_highlight")
    ]
    return gets + posts


def test_another_incidents_entry_is_404(signed_in, incident):
    elsewhere = entry(IncidentFactory(), 5, "Not yours")
    for method, address in _timeline_urls(incident, elsewhere.pk):
        if address.endswith(("/timeline/", "/add/", "/deleted/")):
            continue
        data = edit_data(elsewhere) if method == "post" else None
        response = getattr(signed_in, method)(address, data, headers=HTMX)
        assert response.status_code == 404, address
    elsewhere.refresh_from_db()
    assert (elsewhere.text, elsewhere.version) == ("Not yours", 1)


def test_a_restricted_incidents_timeline_is_404_for_an_outsider(client, outsider):
    responder = UserFactory(username="named")
    restricted = IncidentFactory(restricted=True, responders=[responder])
    event = entry(restricted, 5, "Signing key rotated")
    client.force_login(outsider)
    for method, address in _timeline_urls(restricted, event.pk):
        data = edit_data(event, text="Outsider was here") if method == "post" else None
        response = getattr(client, method)(address, data, headers=HTMX)
        assert response.status_code == 404, f"{method} {address}"
    event.refresh_from_db()
    assert (event.text, event.version) == ("Signing key rotated", 1)
    assert restricted.events.count() == 1
    client.force_login(responder)
    assert client.get(url("timeline", restricted), headers=HTMX).status_code == 200


# Query counts


@pytest.fixture
def timeline_of():
    def make(size: int):
        incident = IncidentFactory()
        author = UserFactory()
        TimelineEvent.objects.bulk_create(
            TimelineEvent(
                incident=incident,
                occurred_at=T0 + dt.timedelta(minutes=n),
                kind=TimelineEvent.Kind.values[n % len(TimelineEvent.Kind.values)],
                milestone="started" if n == 0 else "",
                text=f"Entry {n}",
                actor="On-call",
                source="https://chat.example.com/p1" if n % 2 else "",
                highlighted=n % 7 == 0,
                version=1 + n % 3,
                author=author,
            )
            for n in range(size)
        )
        return incident

    return make


# session, user, incident, its milestones (header, offsets, state), the
# newest entries with the count and stamp of all, and the rest of the page,
# none of it per entry: postmortem, status updates (header and panel),
# checklist (meter and panel), checkpoints, roles, impact scope, people to
# pick for a role and the named responders.
PAGE_QUERIES = 15


@pytest.mark.parametrize("size", [10, 1000])
def test_the_incident_page_costs_the_same_with_10_or_1000_entries(
    signed_in, timeline_of, django_assert_num_queries, size
):
    incident = timeline_of(size)
    with django_assert_num_queries(PAGE_QUERIES):
        response = signed_in.get(incident.get_absolute_url())
    assert response.context["timeline_total"] == size
    assert len(response.context["timeline_entries"]) == min(size, SHOWN)
    assertContains(response, f"Entry {size - 1}")


@pytest.mark.parametrize("size", [10, 1000])
def test_the_list_fragment_costs_the_same_with_10_or_1000_entries(
    signed_in, timeline_of, django_assert_num_queries, size
):
    incident = timeline_of(size)
    # session, user, incident, the entries' stamp, then the entries (a first
    # reader: the next ones are served the same HTML without that query)
    with django_assert_num_queries(5):
        response = signed_in.get(url("timeline", incident), {"kind": "fact"}, headers=HTMX)
    assertContains(response, "Entry 0")


@pytest.mark.parametrize("size", [10, 1000])
def test_adding_an_entry_costs_the_same_with_10_or_1000_entries(
    signed_in, timeline_of, django_assert_num_queries, size
):
    incident = timeline_of(size)
    # session, user, incident; the ModelForm checks the kind and milestone
    # CheckConstraints (a SELECT in a savepoint each); the insert in its own.
    with django_assert_num_queries(6):
        response = post_add(signed_in, incident, text="One more")
    assert response.status_code == 200
    assert incident.events.count() == size + 1


def test_every_aria_reference_of_the_panel_points_at_something(signed_in, incident):
    event = entry(incident, 5, "Entry")
    pages = [
        signed_in.get(incident.get_absolute_url()),
        post_add(signed_in, incident, occurred_at="nonsense", text=""),
        signed_in.get(url("timeline_edit", incident, event.pk), headers=HTMX),
    ]
    for response in pages:
        content = response.content.decode()
        if "<html" in content:  # only the timeline panel of the page
            content = content[content.index('id="timeline-panel"') :]
            content = content[: content.index("</section>")]
        ids = set(re.findall(r'\bid="([^"]+)"', content))
        for refs in re.findall(r'aria-describedby="([^"]+)"', content):
            assert set(refs.split()) <= ids, refs


# A long timeline: the newest entries, the rest one "Show all" away


def test_a_long_timeline_shows_its_newest_entries_and_offers_the_rest(signed_in, timeline_of):
    incident = timeline_of(SHOWN + 5)
    page = signed_in.get(incident.get_absolute_url())
    assertContains(page, f"Showing the newest {SHOWN} of {SHOWN + 5} entries.")
    assertContains(page, f"Entry {SHOWN + 4}<")
    assertContains(page, "Entry 5<")
    assertNotContains(page, "Entry 4<")
    # Without JavaScript the link reloads the page with every entry.
    everything = signed_in.get(incident.get_absolute_url(), {"timeline": "all"})
    assertContains(everything, "Entry 0<")
    assertContains(everything, f"Showing all {SHOWN + 5} entries.")
    assertNotContains(everything, "Show all")


def test_show_all_is_kept_when_the_list_refreshes_after_a_change(signed_in, timeline_of):
    incident = timeline_of(SHOWN + 1)
    every = signed_in.get(url("timeline", incident), {"timeline": "all"}, headers=HTMX)
    assertContains(every, "Entry 0<")
    # The list re-fetches itself with #timeline-all: the choice survives a change.
    assertContains(every, '<input type="hidden" id="timeline-all" name="timeline" value="all">')
    post_add(signed_in, incident, text="Newest of all")
    again = signed_in.get(url("timeline", incident), {"timeline": "all"}, headers=HTMX)
    assertContains(again, "Entry 0<")
    assertContains(again, "Newest of all")
    newest = signed_in.get(url("timeline", incident), headers=HTMX)
    assertContains(newest, "Newest of all")
    assertNotContains(newest, "Entry 0<")
    assertNotContains(newest, 'id="timeline-all"')


def test_the_window_counts_only_the_chosen_kind(signed_in, timeline_of):
    incident = timeline_of(SHOWN + 5)  # the kinds take turns: a few dozen decisions
    decisions = incident.events.filter(kind="decision").count()
    listed = signed_in.get(url("timeline", incident), {"kind": "decision"}, headers=HTMX)
    assert listed.content.decode().count('data-kind="decision"') == decisions
    assertNotContains(listed, "Showing the newest")
    assertContains(signed_in.get(url("timeline", incident), headers=HTMX), "Showing the newest")
