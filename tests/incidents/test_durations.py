import datetime as dt

from incidents.durations import IncidentTimes, format_duration, format_offset

T0 = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_times_come_from_milestones():
    times = IncidentTimes(
        {
            "started": at(0),
            "detected": at(6),
            "triaged": at(10),
            "mitigated": at(42),
            "resolved": at(130),
        }
    )
    assert times.time_to_detect == dt.timedelta(minutes=6)
    assert times.time_to_respond == dt.timedelta(minutes=4)
    assert times.time_to_mitigate == dt.timedelta(minutes=42)
    assert times.time_to_resolve == dt.timedelta(minutes=130)


def test_missing_milestones_leave_times_unknown():
    times = IncidentTimes({"started": at(0)})
    assert times.time_to_detect is None
    assert format_duration(times.time_to_resolve) == "—"


def test_the_strip_is_drawn_to_scale():
    times = IncidentTimes(
        {"started": at(0), "detected": at(10), "mitigated": at(40), "resolved": at(100)}
    )
    phases = times.phases(now=at(500))
    assert [(p.key, round(p.percent)) for p in phases] == [
        ("undetected", 10),
        ("responding", 30),
        ("recovering", 60),
    ]
    assert times.offset_percent(at(50), now=at(500)) == 50.0


def test_an_open_phase_runs_until_now():
    times = IncidentTimes({"started": at(0), "detected": at(15)})
    phases = times.phases(now=at(60))
    assert [(p.key, round(p.percent)) for p in phases] == [("undetected", 25), ("responding", 75)]


def test_durations_and_offsets_read_like_a_person_writes_them():
    assert format_duration(dt.timedelta(minutes=65)) == "1h 05m"
    assert format_duration(dt.timedelta(minutes=14)) == "14m"
    assert format_duration(dt.timedelta(days=2, hours=3)) == "2d 3h"
    assert format_offset(at(14), T0) == "T+00:14"
    assert format_offset(at(125), T0) == "T+02:05"
    assert format_offset(at(-5), T0) == "T-00:05"
