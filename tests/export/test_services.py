"""The export run end to end, in this process (eager tasks): files, git, contract,
idempotence, and every refusal that writes nothing."""

import json
from pathlib import Path

import pytest
import yaml

from incidents.models import Incident, TimelineEvent
from postmortems.export import files
from postmortems.export.services import ExportInProgress, export_request
from postmortems.models import ExportRun, Postmortem
from tests.export.conftest import git
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_commit(django_capture_on_commit_callbacks):
    global _capture
    _capture = django_capture_on_commit_callbacks


def export(postmortem: Postmortem, *, redact: bool = False) -> ExportRun:
    """Request an export and run its task as the commit would (eagerly)."""
    with _capture(execute=True):
        run = export_request(postmortem=postmortem, by=UserFactory(), redact=redact)
    run.refresh_from_db()
    return run


def commits(repo: Path) -> list[str]:
    return git(repo, "log", "--format=%H %s").splitlines()


def everything_under(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders for p in folder.rglob("*") if ".git" not in p.parts)


@pytest.fixture
def hotfix(demo_postmortems) -> Postmortem:
    return demo_postmortems["hotfix"]


def frontmatter(text: str) -> dict:
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_a_hotfix_export_writes_the_three_files_and_one_commit(hotfix, roots):
    repo, _logs = roots
    change = hotfix.incident.change_id

    run = export(hotfix)

    assert run.status == ExportRun.Status.COMPLETE, run.contract
    log_root = Path(hotfix.log_root)
    main = repo / "Planning/Changes" / change / "99-postmortem.md"
    copy = log_root / "postmortem/postmortem.md"
    log = log_root / "meta/postmortem.log.md"
    assert main.read_text() == copy.read_text() == run.markdown
    assert frontmatter(main.read_text()) == {
        "tags": ["postmortem", "hotfix", "incremental", "track-b"],
        "change_id": change,
        "workstream_id": change,
        "incident_date": "2026-11-20",
        "postmortem_date": "2026-11-24",
        "severity": "P1",
        "status": "complete",
    }
    meta = frontmatter(log.read_text())
    assert meta["change_id"] == change
    assert meta["status"] == "complete"
    assert meta["inputs"]["intent"] == f"../Planning/Changes/{change}/00-change-intent.md"
    assert meta["inputs"]["deployment"].endswith(f"deployments/Deploy-{change}.md")
    assert meta["outputs"] == {
        "postmortem": f"../Planning/Changes/{change}/99-postmortem.md",
        "log_copy": f"{log_root}/postmortem/postmortem.md",
    }
    assert "- Timeline events: 11\n- Follow-up actions defined: 4" in log.read_text()
    assert run.contract == {
        "status": "complete",
        "change_id": change,
        "is_hotfix": True,
        "severity": "P1",
        "follow_up_count": 4,
        "artifacts": {
            "postmortem": f"../Planning/Changes/{change}/99-postmortem.md",
            "postmortem_log_copy": f"{log_root}/postmortem/postmortem.md",
            "postmortem_log": f"{log_root}/meta/postmortem.log.md",
        },
        "blocker": None,
    }
    history = commits(repo)
    assert len(history) == 2
    assert run.commit_sha == history[0].split()[0]
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith(f"Post-Mortem: {hotfix.incident.title}\n\n- Severity: SEV-2\n")
    assert "- Duration: 8 hours 25 minutes\n" in message
    assert "- Root Cause: Release 5.12 of auth-service" in message
    assert message.rstrip().endswith("- Action Items: 4")
    assert git(repo, "log", "-1", "--format=%an <%ae>").strip() == (
        "Postmortem export <export@example.com>"
    )
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [
        f"Planning/Changes/{change}/99-postmortem.md"
    ]
    assert not list(repo.rglob(f"*{files.TEMP_SUFFIX}"))


def test_exporting_the_same_postmortem_again_writes_nothing_and_commits_nothing(hotfix, roots):
    repo, logs = roots
    first = export(hotfix)
    stamps = {p: p.stat().st_mtime_ns for p in everything_under(repo, logs) if p.is_file()}

    second = export(hotfix)

    assert second.status == ExportRun.Status.COMPLETE
    assert len(commits(repo)) == 2
    assert second.commit_sha == first.commit_sha
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert [f["written"] for f in second.files] == [False, False, False]
    assert second.contract == first.contract


def test_a_changed_postmortem_is_committed_again(hotfix, roots):
    repo, _ = roots
    export(hotfix)
    hotfix.sections.filter(key="lessons").update(body="- Ramp security controls like features.")

    run = export(hotfix)

    assert len(commits(repo)) == 3
    assert "Ramp security controls like features." in run.markdown


def test_full_review_and_pulse_go_to_tasks_with_one_tracking_row_each(demo_postmortems, roots):
    repo, _ = roots
    for kind in ("full", "review", "pulse"):
        run = export(demo_postmortems[kind])
        assert run.status == ExportRun.Status.COMPLETE, run.contract
        assert run.contract["artifacts"]["tracking"] == "POST_MORTEM_TRACKING.md"
        assert (repo / run.contract["artifacts"]["postmortem"]).read_text() == run.markdown
    full = demo_postmortems["full"]
    assert ExportRun.objects.filter(postmortem=full).get().contract["artifacts"]["postmortem"] == (
        "tasks/post-mortem-2026-11-23-checkout-api-failing-for-nearly-half-of-requests-after-a.md"
    )
    export(full)  # unchanged: the row stays as it is
    tracking = (repo / "POST_MORTEM_TRACKING.md").read_text()
    rows = [line for line in tracking.splitlines() if line.startswith("| post-mortem-")]
    assert len(rows) == 3
    assert rows[0].startswith("| post-mortem-2026-11-23-checkout-api")
    assert "| SEV-1 |" in rows[0]
    assert rows[0].endswith("| Final |")
    assert len(commits(repo)) == 4

    Postmortem.objects.filter(pk=full.pk).update(state=Postmortem.State.CLOSED)
    export(full)
    rows = [line for line in (repo / "POST_MORTEM_TRACKING.md").read_text().splitlines()]
    closed = [line for line in rows if line.startswith("| post-mortem-2026-11-23-")]
    assert len(closed) == 1
    assert closed[0].endswith("| Closed |")
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [
        "POST_MORTEM_TRACKING.md",
        "tasks/post-mortem-2026-11-23-checkout-api-failing-for-nearly-half-of-requests-after-a.md",
    ]


def test_a_repository_that_is_not_a_git_work_tree_gets_the_files_without_a_commit(
    hotfix, settings, tmp_path
):
    settings.EXPORT_REPO_ROOT = tmp_path / "plain"

    run = export(hotfix)

    assert run.status == ExportRun.Status.COMPLETE
    assert run.commit_sha == ""
    assert (tmp_path / "plain/Planning/Changes").is_dir()


def test_a_stale_temporary_file_from_a_killed_worker_is_removed(hotfix, roots):
    repo, _ = roots
    folder = repo / "Planning/Changes" / hotfix.incident.change_id
    folder.mkdir(parents=True)
    stale = folder / f".99-postmortem.md.abc123{files.TEMP_SUFFIX}"
    stale.write_text("half a postm")

    export(hotfix)

    assert not stale.exists()


def test_a_second_request_while_one_runs_finds_it(hotfix, roots):
    running = ExportRun.objects.create(postmortem=hotfix, status=ExportRun.Status.RUNNING)

    with pytest.raises(ExportInProgress) as caught:
        export_request(postmortem=hotfix, by=UserFactory())

    assert caught.value.run == running


# --- refusals: blocked or not applicable, and nothing written --------------------


def assert_nothing_written(roots) -> None:
    repo, logs = roots
    assert everything_under(repo) == []
    assert [p for p in everything_under(logs) if p.is_file() and "postmortem" in p.name] == []
    assert len(commits(repo)) == 1


def test_a_log_root_outside_the_configured_roots_is_blocked(hotfix, roots):
    Postmortem.objects.filter(pk=hotfix.pk).update(log_root=f"{roots[1]}/../../etc")

    run = export(hotfix)

    assert run.status == ExportRun.Status.BLOCKED
    assert run.contract["blocker"]["affected_fields"] == ["log_root"]
    assert "outside the allowed log roots" in run.contract["blocker"]["description"]
    assert run.contract["artifacts"] == {}
    assert_nothing_written(roots)


def test_a_symlink_leading_out_of_the_log_root_is_blocked(hotfix, roots, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    log_root = Path(hotfix.log_root)
    log_root.mkdir(parents=True)
    (log_root / "postmortem").symlink_to(outside)

    run = export(hotfix)

    assert run.status == ExportRun.Status.BLOCKED
    assert run.contract["blocker"]["affected_fields"] == ["log_root"]
    assert list(outside.iterdir()) == []
    assert_nothing_written(roots)


def test_a_symlink_leading_out_of_the_repository_is_blocked(hotfix, roots, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (roots[0] / "Planning").symlink_to(outside)

    run = export(hotfix)

    assert run.status == ExportRun.Status.BLOCKED
    assert run.contract["blocker"]["affected_fields"] == ["repository"]
    assert list(outside.iterdir()) == []


def test_a_malformed_change_id_is_blocked(hotfix, roots):
    Incident.objects.filter(pk=hotfix.incident_id).update(change_id="CHG-20261120-../../x")

    run = export(hotfix)

    assert run.status == ExportRun.Status.BLOCKED
    assert run.contract["blocker"]["affected_fields"] == ["change_id"]
    assert_nothing_written(roots)


def test_a_secret_in_a_section_blocks_the_export_and_is_not_repeated(hotfix, roots):
    token = "ghp_4x8Qk2Lm9Pz7Rt5Vw3Yb6Nc1Df0Gh8Jk2Ls4"
    hotfix.sections.filter(key="what_happened").update(
        body=f"We rotated the token {token} and mailed ana.silva@example.org."
    )

    run = export(hotfix)

    assert run.status == ExportRun.Status.BLOCKED
    blocker = run.contract["blocker"]
    assert blocker["affected_fields"] == ["What Happened"]
    assert "2 possible secret(s)" in blocker["description"]
    assert [(f["kind"], f["where"]) for f in run.findings] == [
        ("github-token", "What Happened"),
        ("email", "What Happened"),
    ]
    stored = json.dumps([run.contract, run.findings])
    assert token not in stored
    assert "ana.silva" not in stored
    assert run.markdown == ""
    assert_nothing_written(roots)


def test_the_facilitator_may_export_with_findings_redacted(hotfix, roots):
    hotfix.sections.filter(key="what_happened").update(
        body="Connection string postgres://app:Sup3rS3cret@db.internal/auth was in the log."
    )

    run = export(hotfix, redact=True)

    assert run.status == ExportRun.Status.COMPLETE
    assert "postgres://app:[REDACTED:credentials]@db.internal/auth" in run.markdown
    assert "Sup3rS3cret" not in (roots[0] / run.contract["artifacts"]["postmortem"][3:]).read_text()
    log = Path(hotfix.log_root) / "meta/postmortem.log.md"
    assert "Sanitized: 1 finding(s) redacted (credentials)." in log.read_text()


def test_a_hotfix_without_deployment_evidence_is_blocked_with_the_seed_blocker(hotfix, roots):
    TimelineEvent.objects.filter(incident=hotfix.incident, milestone="deployed").update(source="")

    run = export(hotfix)

    assert run.contract["blocker"] == {
        "description": "Missing deployment evidence / Cannot verify production deployment",
        "resolution_required": "Provide deployment log or confirmation",
        "affected_fields": ["deployment_evidence"],
    }
    assert run.contract["status"] == "blocked"
    assert_nothing_written(roots)


def test_a_change_that_is_not_a_hotfix_is_not_applicable(hotfix, roots):
    Incident.objects.filter(pk=hotfix.incident_id).update(is_hotfix=False, change_id="")

    run = export(hotfix)

    assert run.status == ExportRun.Status.NOT_APPLICABLE
    assert run.contract == {
        "status": "not_applicable",
        "reason": "is_hotfix: false — postmortem not required for non-hotfix changes",
    }
    assert_nothing_written(roots)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"state": Postmortem.State.IN_REVIEW}, "state"),
        ({"log_root": ""}, "log_root"),
    ],
)
def test_an_unfinished_or_rootless_hotfix_is_blocked(hotfix, roots, change, field):
    Postmortem.objects.filter(pk=hotfix.pk).update(**change)

    run = export(hotfix)

    assert run.contract["blocker"]["affected_fields"] == [field]
    assert_nothing_written(roots)


def test_an_action_without_owner_or_date_is_blocked(hotfix, roots):
    hotfix.actions.filter(number=2).update(due_date=None)

    run = export(hotfix)

    assert run.contract["blocker"]["affected_fields"] == ["actions"]
    assert "AI-002" in run.contract["blocker"]["description"]


def test_a_restricted_incident_is_not_exported(hotfix, roots):
    Incident.objects.filter(pk=hotfix.incident_id).update(restricted=True)

    run = export(hotfix)

    assert run.contract["blocker"]["affected_fields"] == ["restricted"]
    assert_nothing_written(roots)
