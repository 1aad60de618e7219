import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from incidents.timeparse import parse_typed_time
from postmortems.timezones import zone_named

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("typed", "expected_utc"),
    [
        ("14:05", dt.datetime(2026, 11, 24, 13, 5, tzinfo=dt.UTC)),
        ("9:30:15", dt.datetime(2026, 11, 24, 8, 30, 15, tzinfo=dt.UTC)),
        ("2026-11-23 23:59", dt.datetime(2026, 11, 23, 22, 59, tzinfo=dt.UTC)),
        ("2026-11-24T14:05:00+00:00", dt.datetime(2026, 11, 24, 14, 5, tzinfo=dt.UTC)),
        ("2026-11-24T14:05Z", dt.datetime(2026, 11, 24, 14, 5, tzinfo=dt.UTC)),
        (" 2026-11-24 14:05-05:00 ", dt.datetime(2026, 11, 24, 19, 5, tzinfo=dt.UTC)),
    ],
)
def test_typed_times_are_read_in_the_viewers_zone(typed, expected_utc):
    assert parse_typed_time(typed, zone=BERLIN, today=TODAY) == expected_utc


@pytest.mark.parametrize("typed", ["25:00", "14:5", "yesterday", "2026-13-01 10:00", "", "14h05"])
def test_unreadable_times_say_which_formats_work(typed):
    with pytest.raises(ValidationError) as error:
        parse_typed_time(typed, zone=BERLIN, today=TODAY)
    assert "14:05" in error.value.messages[0]


def test_unknown_zone_names_fall_back():
    assert zone_named("Mars/Olympus", dt.UTC) is dt.UTC
    assert zone_named("", dt.UTC) is dt.UTC
    assert zone_named("Europe/Berlin", dt.UTC) == BERLIN
