"""Many action items, fast, on PostgreSQL: for the EXPLAIN test and bench/actions_dashboard.py.

Incidents and postmortems go through bulk_create (model defaults apply); the
action items, the bulk of the rows, are one INSERT ... SELECT over
generate_series. The mix is deterministic and shaped like a workspace with
years of history: most items of old reviews are closed.

- 8% open or in progress, 85% done (verified across the past year), 7% won't do;
- due dates spread from 60 days ago to 90 days ahead, so about 40% of the
  open items are overdue (3% of all);
- the last change anywhere in the past 60 days, so most open items are stale;
- priorities P0 10%, P1 30%, P2 40%, P3 20%;
- one item in five owned by a team (10 teams), the rest by one of the people;
- one incident in twenty restricted, declared by one of the people.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from incidents.models import Incident
from postmortems.models import Postmortem

User = get_user_model()

SEVERITIES = Incident.Severity.values
TEAMS = 10

# setseed() first: random() then gives the same rows on every run.
ITEMS_SQL = """
WITH series AS (
    SELECT g,
           floor(random() * 100) AS roll,
           floor(random() * 150)::int AS due_shift,
           floor(random() * 60)::int AS idle_days,
           floor(random() * 100) AS priority_roll,
           random() < 0.2 AS team_owned,
           floor(random() * %(teams)s)::int AS team,
           (%(owners)s::int[])[1 + floor(random() * cardinality(%(owners)s::int[]))::int] AS person
    FROM generate_series(0, %(items)s - 1) AS g
)
INSERT INTO actions_actionitem (
    number, title, owner_team, owner_id, priority, due_date, status, wont_do_reason,
    category, verification_signal, verified_at, verified_by_id, tracking_url, version,
    created_at, updated_at, postmortem_id, snooze_reason
)
SELECT
    g %% %(per)s + 1,
    'Bulk action ' || g,
    CASE WHEN team_owned THEN 'Team ' || team ELSE '' END,
    CASE WHEN team_owned THEN NULL ELSE person END,
    CASE WHEN priority_roll < 10 THEN 'P0' WHEN priority_roll < 40 THEN 'P1'
         WHEN priority_roll < 80 THEN 'P2' ELSE 'P3' END,
    %(today)s::date - 60 + due_shift,
    CASE WHEN roll < 5 THEN 'open' WHEN roll < 8 THEN 'in_progress'
         WHEN roll < 93 THEN 'done' ELSE 'wont_do' END,
    CASE WHEN roll >= 93 THEN 'Superseded by another action.' ELSE '' END,
    (ARRAY['prevent', 'detect', 'mitigate', 'learn'])[1 + g %% 4],
    'Done when the alert fires in the game day.',
    CASE WHEN roll BETWEEN 8 AND 92 THEN %(now)s - make_interval(days => (g * 13) %% 365) END,
    CASE WHEN roll BETWEEN 8 AND 92 THEN person END,
    '',
    1,
    %(now)s - interval '400 days',
    %(now)s - make_interval(days => idle_days),
    %(first)s + g / %(per)s,
    ''
FROM series
"""


def seed(*, postmortems: int, items: int, people: int = 200) -> list:
    """Create the people, incidents, postmortems and items; return the people."""
    now = timezone.now()
    start = User.objects.count()
    users = User.objects.bulk_create(
        User(username=f"bulk{start + n}", first_name=f"Person {n}", email=f"p{n}@example.com")
        for n in range(people)
    )
    day = dt.date(2020, 1, 1)
    first = Incident.objects.count() + 1
    incidents = Incident.objects.bulk_create(
        (
            Incident(
                ref=f"INC-{day:%Y-%m-%d}-{first + n}",
                title=f"Bulk incident {n}",
                severity=SEVERITIES[n % len(SEVERITIES)],
                state=Incident.State.CLOSED,
                impact_category=Incident.ImpactCategory.PERFORMANCE,
                detection_method=Incident.DetectionMethod.MONITORING,
                restricted=n % 20 == 0,
                declared_by=users[n % people],
            )
            for n in range(postmortems)
        ),
        batch_size=2000,
    )
    reviews = Postmortem.objects.bulk_create(
        (
            Postmortem(
                incident=incident,
                kind=Postmortem.Kind.FULL,
                facilitator=users[(n * 3) % people],
                created_at=now - dt.timedelta(hours=n),
            )
            for n, incident in enumerate(incidents)
        ),
        batch_size=2000,
    )
    ids = sorted(review.pk for review in reviews)
    assert ids == list(range(ids[0], ids[0] + postmortems)), "postmortem ids not contiguous"
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            ITEMS_SQL,
            {
                "items": items,
                "per": -(-items // postmortems),
                "teams": TEAMS,
                "owners": [user.pk for user in users],
                "today": timezone.localdate(now),
                "now": now,
                "first": ids[0],
            },
        )
        cursor.execute("ANALYZE")
    return users
