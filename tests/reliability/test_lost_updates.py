"""No edit is lost under concurrency: of the clients that saved the same
version exactly one wins, every other is told (with the text as it now is,
and in the view with theirs kept beside it), and the revision history counts
exactly the accepted saves.

Threads with their own database connections, on the suite's database: SQLite
in the first CI pass, PostgreSQL in the second (DATABASE_URL).
"""

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from incidents.models import TimelineEvent
from incidents.services import timeline_add
from postmortems.models import Revision, Section
from postmortems.services import postmortem_start, section_save
from postmortems.versioning import StaleVersion
from tests.factories import IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 20
ROUNDS = 100


@pytest.fixture(autouse=True)
def _quiet_bus(published):
    """Live events go to a list: the test is about the database."""


@pytest.fixture
def team():
    return [UserFactory(username=f"editor{n}") for n in range(CLIENTS)]


@pytest.fixture
def section(team):
    incident = IncidentFactory(responders=team)
    postmortem = postmortem_start(incident=incident, kind="review", facilitator=None)
    return postmortem.sections.get(key="root_cause")


def run_together(work: Callable[[int], None], clients: int = CLIENTS) -> list[BaseException]:
    """Run work(n) for each client in its own thread; the errors they raised."""
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            work(n)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client hung"
    return errors


def test_twenty_clients_a_hundred_rounds_exactly_one_save_per_version(section, team):
    outcomes: list[Counter] = [Counter() for _ in range(ROUNDS)]
    conflicts_kept_the_winner: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client(n: int) -> None:
        for round_ in range(ROUNDS):
            # Everyone loads the same version, then everyone saves their own text.
            start.wait(timeout=60)
            loaded = Section.objects.get(pk=section.pk)
            assert loaded.version == round_ + 1
            start.wait(timeout=60)
            mine = f"round {round_}: client {n}'s text"
            try:
                saved = section_save(section=loaded, by=team[n], body=mine, version=loaded.version)
                with lock:
                    outcomes[round_]["won"] += 1
                assert saved.body == mine
            except StaleVersion as stale:
                with lock:
                    outcomes[round_]["conflict"] += 1
                    conflicts_kept_the_winner.append(
                        stale.current.version == round_ + 2
                        and stale.current.body.startswith(f"round {round_}: ")
                        and stale.current.body != mine
                    )

    errors = run_together(client)
    assert not errors, errors[:3]
    assert all(o == Counter(won=1, conflict=CLIENTS - 1) for o in outcomes), outcomes
    assert all(conflicts_kept_the_winner)
    section.refresh_from_db()
    assert section.version == ROUNDS + 1
    revisions = Revision.objects.filter(target="section:root_cause")
    assert revisions.count() == ROUNDS
    assert sorted(revisions.values_list("version", flat=True)) == list(range(2, ROUNDS + 2))


def test_over_http_the_losers_get_409_with_their_text_kept(section, team):
    rounds = 5
    url = reverse(
        "postmortems:section", kwargs={"ref": section.postmortem.incident.ref, "pk": section.pk}
    )
    statuses: list[Counter] = [Counter() for _ in range(rounds)]
    kept: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client(n: int) -> None:
        browser = Client()
        browser.force_login(team[n])
        for round_ in range(rounds):
            start.wait(timeout=60)
            mine = f"round {round_}: client {n} typed this"
            response = browser.post(
                url, {"body": mine, "version": round_ + 1}, headers={"HX-Request": "true"}
            )
            with lock:
                statuses[round_][response.status_code] += 1
                if response.status_code == 409:
                    kept.append(mine in response.content.decode())

    errors = run_together(client)
    assert not errors, errors[:3]
    assert all(s == Counter({200: 1, 409: CLIENTS - 1}) for s in statuses), statuses
    assert len(kept) == rounds * (CLIENTS - 1)
    assert all(kept)
    assert Revision.objects.filter(target="section:root_cause").count() == rounds


def test_twenty_concurrent_timeline_appends_make_twenty_entries(section, team):
    incident = section.postmortem.incident
    start = threading.Barrier(CLIENTS)

    def append(n: int) -> None:
        start.wait(timeout=60)
        timeline_add(incident=incident, author=team[n], text=f"Observation {n}")

    errors = run_together(append)
    assert not errors, errors[:3]
    texts = set(TimelineEvent.objects.filter(incident=incident).values_list("text", flat=True))
    assert texts == {f"Observation {n}" for n in range(CLIENTS)}


def test_autosaves_that_change_only_whitespace_never_conflict(section, team):
    saved = section_save(section=section, by=team[0], body="Line one\nLine two", version=1)
    # The same text as it comes back from twenty editors, each loaded at the
    # old version: trailing spaces, CRLF, a final newline.
    variants = ["Line one  \r\nLine two\r\n", "Line one\nLine two\n\n", "Line one\t\nLine two  "]
    start = threading.Barrier(CLIENTS)

    def autosave(n: int) -> None:
        start.wait(timeout=60)
        for _ in range(10):
            section_save(section=section, by=team[n], body=variants[n % 3], version=1)

    errors = run_together(autosave)
    assert not errors, errors[:3]
    section.refresh_from_db()
    assert (section.body, section.version) == (saved.body, 2)
    assert Revision.objects.filter(target="section:root_cause").count() == 1


def test_a_whitespace_only_autosave_over_http_answers_200(client, section, team):
    url = reverse(
        "postmortems:section", kwargs={"ref": section.postmortem.incident.ref, "pk": section.pk}
    )
    section_save(section=section, by=team[0], body="Same text", version=1)
    client.force_login(team[1])
    response = client.post(url, {"body": "Same text \r\n\r\n", "version": 1})
    assert response.status_code == 200
