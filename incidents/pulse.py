"""The triage pulse (pulse seed): four stages of checks and the five-step meter."""

from incidents.models import ChecklistItem

Stage = ChecklistItem.Stage

STAGE_ITEMS: dict[str, list[str]] = {
    Stage.DETECTION: [
        "Confirm the issue exists (replicate or observe).",
        "Capture logs, error IDs, commit hash, environment.",
        "Tag responders in the tracker and chat.",
        "Start a timestamped incident thread in the main channel.",
    ],
    Stage.CONTAIN: [
        "Disable or roll back the faulty deploy.",
        "Gate new traffic if required (feature flag / load balancer).",
        "Verify impact scope (users, data, integrations).",
        "Post first public/internal update (<15 min).",
        "Assign a single communication owner.",
    ],
    Stage.REPAIR: [
        "Identify last known good state (commit / config).",
        "Pair review of relevant logs + code diffs.",
        "Patch / hotfix committed & tested in staging.",
        "CI pipeline green.",
        "Deploy to prod after approval + check telemetry.",
    ],
    Stage.POST_RESOLUTION: [
        "Validate system stability for 24 hrs.",
        "Update documentation / runbooks.",
        "Add regression test.",
        "Schedule post-mortem (≤ 48 hrs).",
        "Notify affected stakeholders that closure is confirmed.",
    ],
}


def default_checklist(incident) -> list[ChecklistItem]:
    """Unsaved checklist rows for a new incident, in the seed's order."""
    return [
        ChecklistItem(incident=incident, stage=stage, position=position, text=text)
        for stage, texts in STAGE_ITEMS.items()
        for position, text in enumerate(texts)
    ]


def pulse_steps(items: list[ChecklistItem]) -> int:
    """Lit steps of the five-step meter: two on declaration (the seed's initial
    🟢🟢⚪️⚪️⚪️), then one for each later stage whose every check is done."""
    later = [Stage.CONTAIN, Stage.REPAIR, Stage.POST_RESOLUTION]
    done = sum(
        1
        for stage in later
        if (rows := [i for i in items if i.stage == stage]) and all(i.done for i in rows)
    )
    return 2 + done
