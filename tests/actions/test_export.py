import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from actions.export import HEADER, safe_cell
from tests.factories import ActionItemFactory, IncidentFactory, PostmortemFactory, UserFactory

pytestmark = pytest.mark.django_db

EXPORT = reverse("actions:export")


def rows(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1 retries", "'+1 retries"),
        ("-rf", "'-rf"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("Plain text", "Plain text"),
        (12, 12),
    ],
)
def test_cells_that_a_spreadsheet_would_run_become_text(value, cell):
    assert safe_cell(value) == cell


def test_export_is_the_current_filtered_view_on_every_page(client, user):
    client.force_login(user)
    postmortem = PostmortemFactory(incident=IncidentFactory(severity="SEV-1"))
    ActionItemFactory(
        postmortem=postmortem,
        number=3,
        title="=cmd|' /C calc'!A0",
        owner=UserFactory(first_name="Ada", last_name="Lovelace"),
        priority="P0",
        due_date=days_ago(4),
        tracking_url="https://tracker.example.com/browse/OPS-1",
    )
    ActionItemFactory.create_batch(30, priority="P1", due_date=days_ago(2))
    ActionItemFactory(priority="P0", due_date=days_ago(-2))  # not overdue
    response = client.get(EXPORT, {"bucket": "overdue", "priority": ["P0", "P1"]})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="actions-{timezone.localdate().isoformat()}.csv"'
    )
    exported = rows(response)
    assert list(exported[0]) == HEADER
    assert len(exported) == 31  # all pages, not 25
    first = exported[0]  # most days overdue first, as on the page
    assert first["Ref"] == "AI-003"
    assert first["Title"] == "'=cmd|' /C calc'!A0"
    assert first["Incident"] == postmortem.incident.ref
    assert first["Severity"] == "SEV-1"
    assert first["Postmortem"] == f"http://testserver{postmortem.get_absolute_url()}"
    assert first["Owner"] == "Ada Lovelace"
    assert first["Priority"] == "P0"
    assert first["Due date"] == days_ago(4).isoformat()
    assert first["Days overdue"] == "4"
    assert first["Tracking link"] == "https://tracker.example.com/browse/OPS-1"


def test_export_leaves_out_what_the_reader_may_not_see(client, outsider):
    secret = PostmortemFactory(incident=IncidentFactory(restricted=True))
    ActionItemFactory(postmortem=secret, title="Rotate the signing key")
    ActionItemFactory(title="Alert on saturation")
    client.force_login(outsider)
    assert [row["Title"] for row in rows(client.get(EXPORT, {"bucket": "all"}))] == [
        "Alert on saturation"
    ]


@pytest.mark.parametrize("items", [2, 40])
def test_export_query_count_does_not_grow(client, user, django_assert_num_queries, items):
    client.force_login(user)
    for postmortem in PostmortemFactory.create_batch(items):
        ActionItemFactory(postmortem=postmortem)
    with django_assert_num_queries(3):  # session, user, the items with their incidents
        response = client.get(EXPORT)
    assert len(rows(response)) == items
