"""With 10,000 postmortems and 200,000 action items on PostgreSQL, the
dashboard's overdue queries read the actions table through its indexes, never
by scanning it whole, and their number stays what the SQLite tests pin.

Seeded once and committed (VACUUM cannot run inside the test's transaction):
VACUUM ANALYZE leaves the table as autovacuum keeps a live one, statistics
and visibility map up to date, so the plans are the ones production gets.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.actions.bulk import seed
from tests.actions.test_views import PAGE_QUERIES
from tests.conftest import need

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

INDEX_USE = re.compile(r"(Index Scan|Index Only Scan|Bitmap Index Scan) (using|on) actions_")
OVERDUE_VIEWS = {
    "overdue": {"bucket": "overdue"},
    "one team's P0 and P1": {"bucket": "overdue", "team": "Team 3", "priority": ["P0", "P1"]},
    "grouped by owner": {"bucket": "overdue", "group": "owner"},
    "mine": {"bucket": "overdue", "mine": "on"},
}


def explained(client, url: str, params: dict) -> list[tuple[str, str]]:
    """(query, plan) for each query of the page that reads action items."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            if "actions_actionitem" in query["sql"]:
                cursor.execute(f"EXPLAIN {query['sql']}")
                plans.append((query["sql"], "\n".join(row[0] for row in cursor.fetchall())))
    return plans


def test_the_overdue_dashboard_reads_through_indexes_at_200000_items(
    client, django_assert_num_queries
):
    if connection.vendor != "postgresql":
        need("PostgreSQL", f"DATABASE_URL is not a postgres:// URL (this run: {connection.vendor})")
    people = seed(postmortems=10_000, items=200_000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE actions_actionitem")
    client.force_login(people[1])  # owns items; declared no restricted incident

    scans = []
    for name, params in OVERDUE_VIEWS.items():
        plans = explained(client, reverse("actions:list"), params)
        assert len(plans) >= 3, name  # counts (the page's too), rows, team choices
        scans += [(name, sql, plan) for sql, plan in plans]
    scans += [
        ("navigation", sql, plan)
        for sql, plan in explained(client, reverse("actions:nav_counts"), {})
    ]
    for name, sql, plan in scans:
        assert "Seq Scan on actions_actionitem" not in plan, f"{name}: {sql}\n\n{plan}"
        assert INDEX_USE.search(plan), f"{name}: {sql}\n\n{plan}"

    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(reverse("actions:list"), {"bucket": "overdue"})
    assert len(response.context["page"].object_list) == 25
    assert response.context["buckets"][1].count > 1000
