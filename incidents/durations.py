"""The incident's times, computed from its milestones (never typed twice)."""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Phase:
    key: str
    label: str
    start: dt.datetime
    end: dt.datetime
    percent: float  # share of the strip's width


@dataclass(frozen=True)
class IncidentTimes:
    milestones: dict[str, dt.datetime]

    def _between(self, start: str, end: str) -> dt.timedelta | None:
        a, b = self.milestones.get(start), self.milestones.get(end)
        return b - a if a and b else None

    @property
    def time_to_detect(self) -> dt.timedelta | None:
        return self._between("started", "detected")

    @property
    def time_to_respond(self) -> dt.timedelta | None:
        return self._between("detected", "triaged")

    @property
    def time_to_mitigate(self) -> dt.timedelta | None:
        return self._between("started", "mitigated")

    @property
    def time_to_resolve(self) -> dt.timedelta | None:
        return self._between("started", "resolved")

    def phases(self, now: dt.datetime) -> list[Phase]:
        """Undetected, detected to mitigated, mitigated to resolved; an open
        phase runs until ``now``."""
        started = self.milestones.get("started")
        if started is None:
            return []
        bounds = [
            ("undetected", "Undetected", started, self.milestones.get("detected")),
            ("responding", "Detected → mitigated", None, self.milestones.get("mitigated")),
            ("recovering", "Mitigated → resolved", None, self.milestones.get("resolved")),
        ]
        spans: list[tuple[str, str, dt.datetime, dt.datetime]] = []
        cursor = started
        for key, label, _, end in bounds:
            stop = end or now
            spans.append((key, label, cursor, max(stop, cursor)))
            if end is None:
                break
            cursor = end
        total = (spans[-1][3] - started).total_seconds() or 1.0
        return [
            Phase(key, label, start, end, 100 * (end - start).total_seconds() / total)
            for key, label, start, end in spans
        ]

    def offset_percent(self, moment: dt.datetime, now: dt.datetime) -> float | None:
        """Where a moment falls on the strip, 0-100, or None when off it."""
        phases = self.phases(now)
        if not phases:
            return None
        start, end = phases[0].start, phases[-1].end
        span = (end - start).total_seconds() or 1.0
        share = (moment - start).total_seconds() / span
        return round(100 * share, 2) if 0 <= share <= 1 else None


def format_duration(value: dt.timedelta | None) -> str:
    """``1h 05m``, ``14m``, ``2d 3h``; an em dash when unknown."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"


def format_offset(moment: dt.datetime, start: dt.datetime | None) -> str:
    """``T+00:14`` from the start of impact; ``T-00:05`` before it."""
    if start is None:
        return ""
    seconds = int((moment - start).total_seconds())
    sign = "+" if seconds >= 0 else "-"
    minutes = abs(seconds) // 60
    return f"T{sign}{minutes // 60:02d}:{minutes % 60:02d}"
