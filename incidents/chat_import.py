"""Timeline entries from chat: a Slack channel export (its JSON day files,
or a zip of them) or pasted lines ("14:05 dana: rolled back", or an ISO 8601
time first). Each message keeps its original time, its author as the actor
and a source record (``slack:<channel>/<ts>``, ``chat:<time>/<hash>``) that
makes importing the same messages again add nothing."""

import datetime as dt
import hashlib
import json
import re
import zipfile
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from incidents.models import Incident, TimelineEvent
from incidents.services import timeline_add
from incidents.timeparse import parse_typed_time

MAX_MESSAGES = 2000
MAX_UNZIPPED = 20 * 1024 * 1024
# "14:05 dana: text", "[14:05] dana: text", "2026-11-24T14:05:00+01:00 dana: text"
_LINE = re.compile(
    r"^\[?(?P<time>\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
    r"|\d{1,2}:\d{2}(?::\d{2})?)\]?\s+(?P<name>[^:]{1,120}):\s*(?P<text>.+)$"
)


@dataclass(frozen=True)
class Message:
    occurred_at: dt.datetime  # aware, UTC
    actor: str
    text: str
    source: str

    def as_dict(self) -> dict:
        return {**asdict(self), "occurred_at": self.occurred_at.isoformat()}

    @classmethod
    def from_dict(cls, data: dict) -> "Message":
        return cls(**{**data, "occurred_at": dt.datetime.fromisoformat(data["occurred_at"])})


def _slack_messages(items: list, channel: str) -> list[Message]:
    messages = []
    for item in items:
        if not isinstance(item, dict) or item.get("type", "message") != "message":
            continue
        text, ts = str(item.get("text") or "").strip(), str(item.get("ts") or "")
        if not text or not ts or item.get("subtype") in {"channel_join", "channel_leave"}:
            continue
        try:
            # Slack's ts is seconds since the epoch, in UTC.
            when = dt.datetime.fromtimestamp(float(ts), tz=dt.UTC)
        except (ValueError, OverflowError, OSError):
            continue
        profile = item.get("user_profile") or {}
        actor = (
            profile.get("real_name")
            or profile.get("display_name")
            or item.get("user_name")
            or item.get("username")
            or item.get("user")
            or "unknown"
        )
        messages.append(
            Message(when, str(actor)[:120], text[:10_000], f"slack:{channel}/{ts}"[:500])
        )
    return messages


def parse_slack_export(upload, channel: str) -> list[Message]:
    """A day file (``2026-11-24.json``) or a zip of the export; in a zip the
    folder of each day file names its channel."""
    name = getattr(upload, "name", "") or ""
    try:
        if name.endswith(".zip"):
            messages: list[Message] = []
            with zipfile.ZipFile(upload) as archive:
                files = [i for i in archive.infolist() if i.filename.endswith(".json")]
                if sum(i.file_size for i in files) > MAX_UNZIPPED:
                    raise ValidationError("The export is too large to import at once.")
                for info in files:
                    folder = info.filename.rsplit("/", 2)
                    if len(folder) < 2:  # channels.json, users.json at the top
                        continue
                    items = json.loads(archive.read(info))
                    if isinstance(items, list):
                        messages += _slack_messages(items, folder[-2] or channel)
        else:
            items = json.load(upload)
            if not isinstance(items, list):
                raise ValidationError("A Slack day file is a JSON list of messages.")
            messages = _slack_messages(items, channel)
    except (zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValidationError(f"This is not a Slack export: {error}") from None
    return _bounded(messages)


def parse_lines(text: str, *, zone: dt.tzinfo, day: dt.date) -> list[Message]:
    """Pasted chat lines; a time without a date is on ``day``, one without a
    zone in ``zone`` (the viewer's). Lines that do not start with a time
    continue the message above."""
    messages: list[dict] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if match := _LINE.match(line.strip()):
            try:
                when = parse_typed_time(match["time"], zone=zone, today=day)
            except ValidationError:
                when = None
            if when is not None:
                messages.append(
                    {
                        "when": when.astimezone(dt.UTC),
                        "actor": match["name"].strip(),
                        "text": match["text"].strip(),
                    }
                )
                continue
        if messages:
            messages[-1]["text"] += "\n" + line.rstrip()
    result = []
    for m in messages:
        digest = hashlib.sha256(f"{m['actor']}\n{m['text']}".encode()).hexdigest()[:12]
        source = f"chat:{m['when']:%Y-%m-%dT%H:%M:%SZ}/{digest}"
        result.append(Message(m["when"], m["actor"][:120], m["text"][:10_000], source))
    return _bounded(result)


def _bounded(messages: list[Message]) -> list[Message]:
    if len(messages) > MAX_MESSAGES:
        raise ValidationError(
            f"Import at most {MAX_MESSAGES} messages at once; pick a shorter range."
        )
    return sorted(messages, key=lambda m: m.occurred_at)


def already_imported(incident: Incident, messages: list[Message]) -> set[str]:
    sources = [m.source for m in messages]
    return set(incident.events.filter(source__in=sources).values_list("source", flat=True))


@transaction.atomic
def chat_import(*, incident: Incident, messages: list[Message], by) -> list[TimelineEvent]:
    """Add the messages not imported before, as communication entries."""
    Incident.objects.select_for_update().filter(pk=incident.pk).first()  # one import at a time
    seen = already_imported(incident, messages)
    added = []
    for message in messages:
        if message.source in seen:
            continue
        seen.add(message.source)
        added.append(
            timeline_add(
                incident=incident,
                author=by,
                occurred_at=message.occurred_at,
                kind=TimelineEvent.Kind.COMMUNICATION,
                text=message.text,
                actor=message.actor,
                source=message.source,
            )
        )
    return added
