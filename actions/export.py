"""The dashboard's CSV export: one row per action item, safe to open in a spreadsheet."""

import csv
import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.utils import timezone

from actions.models import ActionItem

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

# A cell starting with one of these is run as a formula by spreadsheet
# programs (CSV injection); a leading quote makes it plain text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

HEADER = [
    "Ref",
    "Title",
    "Incident",
    "Severity",
    "Postmortem",
    "Owner",
    "Team",
    "Priority",
    "Status",
    "Category",
    "Due date",
    "Days overdue",
    "Last change",
    "Snoozed until",
    "Snooze reason",
    "Verification signal",
    "Tracking link",
]


def safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return f"'{value}"
    return value


def action_row(action: ActionItem, today: dt.date, url: Callable[[str], str]) -> list[object]:
    incident = action.postmortem.incident
    return [
        action.ref,
        action.title,
        incident.ref,
        incident.severity,
        url(action.postmortem.get_absolute_url()),
        action.owner_label if action.owner_id else "",
        action.owner_team,
        action.priority,
        action.get_status_display(),
        action.get_category_display(),
        action.due_date.isoformat() if action.due_date else "",
        action.days_overdue(today),
        timezone.localtime(action.updated_at).date().isoformat(),
        action.snoozed_until.isoformat() if action.snoozed_until else "",
        action.snooze_reason,
        action.verification_signal,
        action.tracking_url,
    ]


def write_csv(
    out: "SupportsWrite[str]",
    actions: Iterable[ActionItem],
    today: dt.date,
    url: Callable[[str], str],
) -> None:
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for action in actions:
        writer.writerow([safe_cell(cell) for cell in action_row(action, today, url)])
