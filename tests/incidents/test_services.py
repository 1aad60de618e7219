import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from incidents.models import ChecklistItem, Incident
from incidents.pulse import STAGE_ITEMS
from incidents.services import incident_declare
from tests.factories import UserFactory


def declare(**overrides) -> Incident:
    fields = {
        "title": "Checkout API returns 503",
        "severity": Incident.Severity.SEV1,
        "impact_category": Incident.ImpactCategory.OUTAGE,
        "detection_method": Incident.DetectionMethod.MONITORING,
        "declared_by": None,
    }
    return incident_declare(**(fields | overrides))


@pytest.mark.django_db
def test_refs_count_up_per_day_of_detection():
    day = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    first = declare(detected_at=day)
    second = declare(detected_at=day + dt.timedelta(hours=3))
    next_day = declare(detected_at=day + dt.timedelta(days=1))
    assert [first.ref, second.ref, next_day.ref] == [
        "INC-2026-11-24-1",
        "INC-2026-11-24-2",
        "INC-2026-11-25-1",
    ]


@pytest.mark.django_db
def test_the_tenth_incident_of_a_day_follows_the_ninth():
    day = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    refs = [declare(detected_at=day).ref for _ in range(11)]
    assert refs[-2:] == ["INC-2026-11-24-10", "INC-2026-11-24-11"]


@pytest.mark.django_db
def test_declaring_records_start_and_detection_and_the_pulse_checklist():
    started = timezone.now() - dt.timedelta(minutes=20)
    detected = timezone.now() - dt.timedelta(minutes=5)
    incident = declare(started_at=started, detected_at=detected)
    assert incident.milestone_times() == {"started": started, "detected": detected}
    assert incident.checklist.count() == sum(len(items) for items in STAGE_ITEMS.values())
    assert set(incident.checklist.values_list("stage", flat=True)) == set(ChecklistItem.Stage)


@pytest.mark.django_db
def test_a_restricted_incident_names_its_declarer_as_responder():
    dana, sam = UserFactory(), UserFactory()
    incident = declare(restricted=True, declared_by=dana, responders=[sam])
    assert set(incident.responders.all()) == {dana, sam}


@pytest.mark.django_db
def test_a_second_incident_for_the_same_change_is_refused():
    declare(is_hotfix=True, change_id="CHG-20261124-login-timeout")
    with pytest.raises(IntegrityError):
        declare(is_hotfix=True, change_id="CHG-20261124-login-timeout")
    assert Incident.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_declares_get_distinct_refs():
    detected = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)

    def declare_in_thread(n: int) -> str:
        try:
            return declare(title=f"Incident {n}", detected_at=detected).ref
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        refs = list(pool.map(declare_in_thread, range(12)))
    assert sorted(refs, key=lambda r: int(r.rsplit("-", 1)[1])) == [
        f"INC-2026-11-24-{n}" for n in range(1, 13)
    ]
