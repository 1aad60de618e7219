"""The exported Markdown of each kind: the seed's headings in the seed's order,
YAML frontmatter, well-formed tables, lint-clean; and the golden files that
``make lint`` runs the Markdown linter over."""

import datetime as dt
import os
from pathlib import Path

import pytest
import yaml
from django.utils import timezone
from markdown_it import MarkdownIt
from pymarkdown.api import PyMarkdownApi

from postmortems.demo import load_demo
from postmortems.export import render
from postmortems.export.document import collect
from postmortems.models import Postmortem
from tests.export.conftest import DEMO_NOW, finalize

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
CONFIG = Path(__file__).parents[2] / ".pymarkdown.json"
PARSER = MarkdownIt("commonmark").enable("table")

# Each seed's headings (000, 001, 003, 004), in order; user text may add more between.
SEED_HEADINGS = {
    "hotfix": [
        (1, "Hotfix Postmortem — CHG-20261120-login-token-refresh"),
        (2, "Summary"),
        (2, "Timeline"),
        (2, "Root Cause"),
        (3, "What Happened"),
        (3, "Contributing Factors"),
        (3, "Why Hotfix (vs. Normal Release)"),
        (2, "Impact"),
        (3, "Customer/User Impact"),
        (3, "Business Impact"),
        (3, "Metrics"),
        (2, "What Went Well"),
        (2, "What Could Improve"),
        (2, "Follow-Up Actions"),
        (2, "Lessons Learned"),
        (2, "Appendix"),
        (3, "Related Artifacts"),
    ],
    "full": [
        (
            1,
            "Post-Mortem: Checkout API failing for nearly half of requests after a "
            "connection-pool config change",
        ),
        (2, "Executive Summary"),
        (2, "Impact"),
        (3, "Customer Impact"),
        (3, "Technical Impact"),
        (3, "Business Impact"),
        (2, "Timeline"),
        (2, "Root Cause Analysis"),
        (3, "What Happened"),
        (3, "Why It Happened (5 Whys Analysis)"),
        (3, "Root Cause"),
        (3, "Trigger"),
        (2, "Detection and Response"),
        (3, "Detection"),
        (3, "Response"),
        (3, "What Went Well"),
        (3, "What Went Poorly"),
        (2, "Resolution"),
        (3, "Immediate Fix"),
        (3, "Long-term Fix"),
        (2, "Lessons Learned"),
        (3, "Technical Lessons"),
        (3, "Process Lessons"),
        (3, "Communication Lessons"),
        (2, "Action Items"),
        (2, "Prevention Measures"),
        (3, "Short-term (This Week)"),
        (3, "Medium-term (This Month)"),
        (3, "Long-term (This Quarter)"),
        (2, "Supporting Data"),
        (3, "Graphs"),
        (3, "Related Incidents"),
        (2, "Follow-up"),
        (3, "Review Meeting"),
        (3, "Success Criteria"),
        (2, "Communication"),
        (2, "Appendices"),
        (2, "Sign-off"),
        (2, "Revision History"),
        (2, "Post-Mortem Quality Checklist"),
    ],
    "review": [
        (1, "Post-Incident Review: INC-2026-11-05-1"),
        (2, "Executive Summary"),
        (2, "Impact"),
        (2, "Timeline"),
        (2, "Root Cause"),
        (2, "Contributing Factors"),
        (2, "What Went Well"),
        (2, "What Could Be Improved"),
        (2, "Action Items"),
        (2, "Lessons Learned"),
        (2, "Prevention"),
    ],
    "pulse": [
        (1, "⚡ Hotfix & Incident Triage Pulse"),
        (2, "🧾 Header"),
        (2, "🚨 Stage 1 — Detection"),
        (2, "🧯 Stage 2 — Contain & Mitigate"),
        (2, "🔍 Stage 3 — Root Cause & Repair"),
        (2, "🧾 Stage 4 — Post-Resolution"),
        (2, "🧠 Post-Mortem Mini-Template"),
        (3, "Summary"),
        (3, "Timeline"),
        (3, "Root cause"),
        (3, "What worked"),
        (3, "What failed"),
        (3, "Prevent repeat"),
        (2, "✅ Completion Criteria"),
    ],
}


@pytest.fixture
def rendered(settings) -> dict[str, str]:
    """Each demo postmortem's Markdown, with a fixed log root so files compare."""
    settings.EXPORT_LOG_ROOTS = [Path("/srv/log-roots")]
    with timezone.override(dt.UTC):
        load_demo(now=DEMO_NOW)
    postmortems = Postmortem.objects.filter(incident__restricted=False)
    return {p.kind: render.render(collect(finalize(p))) for p in postmortems}


def without_frontmatter(text: str) -> str:
    return text.split("\n---\n", 1)[1] if text.startswith("---\n") else text


def headings(text: str) -> list[tuple[int, str]]:
    tokens = PARSER.parse(without_frontmatter(text))
    return [
        (int(token.tag[1]), tokens[i + 1].content)
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


def is_subsequence(wanted: list, found: list) -> bool:
    remaining = iter(found)
    return all(item in remaining for item in wanted)


@pytest.mark.parametrize("kind", ["hotfix", "full", "review", "pulse"])
def test_the_seed_headings_in_the_seed_order(rendered, kind):
    found = headings(rendered[kind])
    wanted = SEED_HEADINGS[kind]

    assert is_subsequence(wanted, found), found
    # The top two levels are exactly the seed's: user text adds only deeper headings.
    assert [h for h in found if h[0] <= 2] == [h for h in wanted if h[0] <= 2]


@pytest.mark.parametrize("kind", ["hotfix", "full", "review", "pulse"])
def test_every_table_row_has_the_header_s_cells(rendered, kind):
    tokens = PARSER.parse(without_frontmatter(rendered[kind]))
    tables, cells, width = 0, 0, None
    for token in tokens:
        if token.type == "table_open":
            tables += 1
        elif token.type == "tr_open":
            cells = 0
        elif token.type in ("th_open", "td_open"):
            cells += 1
        elif token.type == "tr_close":
            width = width if token.level > 2 and width else cells
            assert cells == width
        elif token.type == "table_close":
            width = None
    assert tables >= 2


@pytest.mark.parametrize("kind", ["hotfix", "full", "review", "pulse"])
def test_the_markdown_passes_the_linter_with_the_committed_config(rendered, kind):
    result = PyMarkdownApi().configuration_file_path(str(CONFIG)).scan_string(rendered[kind])

    assert [
        f"{f.line_number}: {f.rule_id} {f.rule_description}" for f in result.scan_failures
    ] == []


def test_the_hotfix_frontmatter_is_yaml_with_the_seed_s_fields(rendered):
    text = rendered["hotfix"]
    data = yaml.safe_load(text.split("---\n")[1])

    assert list(data) == [
        "tags",
        "change_id",
        "workstream_id",
        "incident_date",
        "postmortem_date",
        "severity",
        "status",
    ]
    assert data["workstream_id"] == data["change_id"] == "CHG-20261120-login-token-refresh"
    assert all(isinstance(value, str) for key, value in data.items() if key != "tags")


def test_table_cells_escape_pipes_and_line_breaks():
    text = render.table(["Time", "Event"], [["10:00", "a | b\nsecond line"], ["", None]])
    tokens = PARSER.parse(text)
    cells = [t for t in tokens if t.type == "inline"]

    assert [c.content for c in cells] == [
        "Time",
        "Event",
        "10:00",
        "a | b<br>second line",
        "—",
        "—",
    ]


def test_a_section_s_own_headings_stay_below_the_seed_s():
    assert render.body("# Detail\nText", 3) == "#### Detail\n\nText"
    assert render.body("```\n# not a heading\n```", 2) == "```\n# not a heading\n```"
    assert render.body("### Already deep", 2) == "### Already deep"


def test_the_frontmatter_quotes_values_yaml_would_misread():
    text = render.frontmatter(
        {"tags": ["a", "b"], "date": "2026-11-24", "title": 'He said "no": x'}
    )

    assert yaml.safe_load(text.strip("-\n")) == {
        "tags": ["a", "b"],
        "date": "2026-11-24",
        "title": 'He said "no": x',
    }


def test_the_golden_files_are_what_the_export_writes_today(rendered):
    """tests/export/golden/ holds the export of the demo; `make lint` lints it.
    UPDATE_GOLDEN=1 rewrites them after an intended change."""
    log = render.execution_log(
        collect(Postmortem.objects.get(kind="hotfix")),
        created="2026-11-24T12:00:00+00:00",
        inputs={"intent": "../Planning/Changes/X/00-change-intent.md"},
        outputs={"postmortem": "../Planning/Changes/X/99-postmortem.md"},
        notes=["Sanitized: no secrets or PII found."],
    )
    tracking = render.tracking_file(
        "",
        key="post-mortem-2026-11-23-checkout",
        severity="SEV-1",
        status="Final",
        today=dt.date(2026, 11, 24),
    )
    files = {f"{kind}.md": text for kind, text in rendered.items()}
    files |= {"postmortem.log.md": log, "POST_MORTEM_TRACKING.md": tracking}
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        for name, text in files.items():
            (GOLDEN / name).write_text(text)
    stale = [name for name, text in files.items() if (GOLDEN / name).read_text() != text]
    assert stale == [], (
        "The demo or the export changed: check the difference, then rewrite the golden "
        "files with UPDATE_GOLDEN=1 make test PYTEST_ARGS=tests/export/test_render.py"
    )
