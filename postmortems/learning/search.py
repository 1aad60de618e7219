"""Search across incidents and postmortems: titles and summaries, sections,
timeline entries, contributing factors and action items.

On PostgreSQL: full-text search (``websearch_to_tsquery``), ranked with
``ts_rank`` and highlighted with ``ts_headline``. Elsewhere (SQLite): every
word must appear (case-insensitive), ranked by how often the words occur,
with the words marked in a snippet. Each kind is one query, filtered by the
visibility rule; the hits are merged by rank.
"""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from actions.models import ActionItem
from incidents.access import visibility_q
from incidents.models import Incident, TimelineEvent
from postmortems.models import ContributingFactor, Section

# Per kind: more than a reader pages through.
LIMIT = 100
SNIPPET = 200
# ts_headline's markers, never in user text; the text is escaped around them.
START, STOP = "\x02", "\x03"


@dataclass(frozen=True)
class Source:
    kind: str
    label: str
    model: type
    incident_path: str  # the path to the incident, for the visibility rule
    title: str  # the field shown as the hit's title
    text: str  # the field searched and highlighted
    date: str  # the incident's date field, for the period filter


SOURCES = {
    "incident": Source("incident", "Incident", Incident, "", "title", "summary", "created_at"),
    "section": Source(
        "section",
        "Section",
        Section,
        "postmortem__incident",
        "title",
        "body",
        "postmortem__incident__created_at",
    ),
    "event": Source(
        "event", "Timeline", TimelineEvent, "incident", "kind", "text", "incident__created_at"
    ),
    "factor": Source(
        "factor",
        "Contributing factor",
        ContributingFactor,
        "postmortem__incident",
        "layer",
        "description",
        "postmortem__incident__created_at",
    ),
    "action": Source(
        "action",
        "Action item",
        ActionItem,
        "postmortem__incident",
        "title",
        "verification_signal",
        "postmortem__incident__created_at",
    ),
}


@dataclass(frozen=True)
class Hit:
    kind: str
    label: str
    ref: str  # the incident's
    incident_title: str
    title: str
    snippet: SafeString
    rank: float
    anchor: str  # where on the postmortem (or incident) page


def words(query: str) -> list[str]:
    return [w for w in re.findall(r"\w+", query.lower()) if len(w) > 1][:10]


def search(
    user: AbstractBaseUser,
    q: str,
    *,
    kind: str = "",
    severity: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> list[Hit]:
    if not words(q):
        return []
    hits: list[Hit] = []
    for source in SOURCES.values():
        if kind and source.kind != kind:
            continue
        rows = _scoped(source, user, severity=severity, since=since, until=until)
        finder = _postgres if connection.vendor == "postgresql" else _fallback
        hits.extend(finder(source, rows, q))
    return sorted(hits, key=lambda hit: (-hit.rank, hit.ref))


def _scoped(source: Source, user, *, severity, since, until) -> QuerySet:
    prefix = f"{source.incident_path}__" if source.incident_path else ""
    rows = source.model.objects.filter(visibility_q(user, source.incident_path))
    if severity:
        rows = rows.filter(**{f"{prefix}severity": severity})
    if since:
        rows = rows.filter(**{f"{source.date}__date__gte": since})
    if until:
        rows = rows.filter(**{f"{source.date}__date__lte": until})
    return rows.annotate(hit_ref=F(f"{prefix}ref"), hit_incident_title=F(f"{prefix}title"))


def _hit(source: Source, row, snippet: SafeString, rank: float) -> Hit:
    title = getattr(row, f"get_{source.title}_display", lambda: getattr(row, source.title))()
    if source.kind == "action":
        title = f"{row.ref} {row.title}"
    anchors = {
        "section": f"section-{getattr(row, 'key', '')}-body",
        "factor": "factors-panel",
        "action": "actions-panel",
    }
    return Hit(
        kind=source.kind,
        label=source.label,
        ref=row.hit_ref,
        incident_title=row.hit_incident_title,
        title=str(title),
        snippet=snippet,
        rank=rank,
        anchor=anchors.get(source.kind, ""),
    )


def _postgres(source: Source, rows: QuerySet, query: str) -> Iterable[Hit]:
    search_query = SearchQuery(query, search_type="websearch", config="english")
    vector = SearchVector(source.title, weight="A", config="english") + SearchVector(
        source.text, weight="B", config="english"
    )
    if source.kind in {"event", "factor"}:  # their "title" is a choice, not words
        vector = SearchVector(source.text, weight="A", config="english")
    found = (
        rows.annotate(document=vector)
        .filter(document=search_query)
        .annotate(
            rank=SearchRank(vector, search_query),
            headline=SearchHeadline(
                source.text,
                search_query,
                config="english",
                start_sel=START,
                stop_sel=STOP,
                max_words=35,
                min_words=15,
            ),
        )
        .order_by("-rank", "pk")[:LIMIT]
    )
    for row in found:
        yield _hit(source, row, _marked(row.headline or getattr(row, source.title)), row.rank)


def _marked(headline: str) -> SafeString:
    """ts_headline's text, escaped, with its markers as <mark>."""
    html = escape(headline).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)


def _fallback(source: Source, rows: QuerySet, query: str) -> Iterable[Hit]:
    terms = words(query)
    condition = Q()
    for term in terms:
        condition &= Q(**{f"{source.title}__icontains": term}) | Q(
            **{f"{source.text}__icontains": term}
        )
    found = list(rows.filter(condition).order_by("pk")[:LIMIT])
    for row in found:
        title, text = str(getattr(row, source.title)).lower(), str(getattr(row, source.text))
        # A word in the title counts double, as the A weight does on PostgreSQL.
        rank = sum(2 * title.count(t) + text.lower().count(t) for t in terms) / (
            1 + len(text) / 500
        )
        yield _hit(source, row, highlight(text, terms), rank)


def highlight(text: str, terms: list[str]) -> SafeString:
    """A snippet of ``text`` around the first term, escaped, terms marked."""
    lower = text.lower()
    first = min((i for i in (lower.find(t) for t in terms) if i >= 0), default=0)
    start = max(0, first - SNIPPET // 3)
    piece = text[start : start + SNIPPET]
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    parts, last = [], 0
    for match in pattern.finditer(piece):
        parts += [escape(piece[last : match.start()]), f"<mark>{escape(match[0])}</mark>"]
        last = match.end()
    parts.append(escape(piece[last:]))
    prefix = "…" if start else ""
    suffix = "…" if start + SNIPPET < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)
