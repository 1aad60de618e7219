"""Import of a hotfix change folder (the hotfix seed's inputs), by command and by form."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from incidents.models import Incident
from postmortems.export.importer import change_import
from postmortems.models import Postmortem
from tests.factories import IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGE = "CHG-20261118-cart-rounding"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def change_folder(roots) -> dict[str, Path]:
    """A complete change folder and its log_root, as the hotfix seed describes them."""
    repo, logs = roots
    folder = repo / "Planning/Changes" / CHANGE
    log_root = logs / CHANGE
    paths = {
        "intent": write(
            folder / "00-change-intent.md",
            f'---\nchange_id: "{CHANGE}"\nis_hotfix: true\ntitle: "Cart totals rounded twice"\n'
            "---\n\n# Change intent\n\nStop rounding line totals before the cart total.\n",
        ),
        "triage": write(
            folder / "01-triage.md",
            f'---\nseverity: "P1"\nlog_root: "{log_root}"\ndetected_at: "2026-11-18T08:05:00Z"\n'
            "---\n\n# Triage\n",
        ),
        "impact": write(folder / "02-impact-analysis.md", "# Impact\n"),
        "plan": write(folder / "03-incremental-micro-plan.md", "# Plan\n"),
        "deploy": write(
            log_root / f"deployments/Deploy-{CHANGE}.md",
            '---\nenvironment: "production"\ndeployed_at: "2026-11-18T11:30:00Z"\n---\n\nDone.\n',
        ),
        "qa": write(log_root / "qa/QA-Report-U01.md", "# QA\n"),
        "diff": write(log_root / "se/diffs/U01.diff", "--- a\n+++ b\n"),
    }
    return paths | {"log_root": log_root}


def test_a_change_folder_becomes_an_incident_and_its_hotfix_postmortem(change_folder):
    user = UserFactory()

    result = change_import(change_id=CHANGE, by=user)

    assert result.answer["status"] == "complete", result.answer
    assert result.created
    incident = Incident.objects.get(change_id=CHANGE)
    assert incident.title == "Cart totals rounded twice"
    assert incident.severity == "SEV-2"
    assert incident.is_hotfix
    deployed = incident.events.get(milestone="deployed")
    assert deployed.source == str(change_folder["deploy"])
    assert deployed.occurred_at.isoformat() == "2026-11-18T11:30:00+00:00"
    assert incident.events.get(milestone="detected").occurred_at.hour == 8
    postmortem = Postmortem.objects.get(incident=incident)
    assert postmortem.kind == "hotfix"
    assert postmortem.log_root == str(change_folder["log_root"])
    artifacts = postmortem.sections.get(key="related_artifacts").body
    assert f"- Change Intent: [[../Planning/Changes/{CHANGE}/00-change-intent]]" in artifacts
    assert f"- Impact Analysis: [[../Planning/Changes/{CHANGE}/02-impact-analysis]]" in artifacts
    assert "- Incremental Micro Plan: [[" in artifacts
    assert f"- Deployment Log: `{change_folder['deploy']}`" in artifacts
    assert f"- QA Reports: `{change_folder['qa']}`" in artifacts
    assert f"- SE Diffs: `{change_folder['diff']}`" in artifacts
    assert "Stop rounding line totals" in postmortem.sections.get(key="why_hotfix").body


def test_importing_again_updates_the_same_incident_and_keeps_edits(change_folder):
    user = UserFactory()
    change_import(change_id=CHANGE, by=user)
    postmortem = Postmortem.objects.get()
    postmortem.sections.filter(key="related_artifacts").update(body="Edited by hand.")
    text = change_folder["triage"].read_text().replace('"P1"', '"P0"')
    change_folder["triage"].write_text(text)

    result = change_import(change_id=CHANGE, by=user)

    assert result.answer["status"] == "complete"
    assert not result.created
    assert Incident.objects.get().severity == "SEV-1"
    assert Postmortem.objects.get().sections.get(key="related_artifacts").body == "Edited by hand."


@pytest.mark.parametrize(
    ("damage", "field"),
    [
        (lambda p: p["intent"].unlink(), "change_intent"),
        (lambda p: p["intent"].write_text("---\nis_hotfix: [true\n---\n"), "change_intent"),
        (lambda p: p["intent"].write_text("# No frontmatter\n"), "change_intent"),
        (lambda p: p["intent"].write_text("---\ntitle: x\n---\n"), "is_hotfix"),
        (lambda p: p["triage"].write_text("---\nseverity: P1\n---\n"), "log_root"),
        (lambda p: p["triage"].write_text("---\nlog_root: /x\n---\n"), "severity"),
        (lambda p: p["triage"].write_text("---\nseverity: P1\nlog_root: /etc\n---\n"), "log_root"),
        (lambda p: p["deploy"].unlink(), "deployment_evidence"),
        (
            lambda p: p["deploy"].write_text("---\nenvironment: staging\n---\n"),
            "deployment_evidence",
        ),
        (
            lambda p: p["deploy"].write_text("---\nenvironment: production\n---\n"),
            "deployment_evidence",
        ),
    ],
)
def test_a_missing_or_malformed_input_is_blocked_and_creates_nothing(change_folder, damage, field):
    damage(change_folder)

    result = change_import(change_id=CHANGE, by=UserFactory())

    assert result.answer["status"] == "blocked"
    assert result.answer["blocker"]["affected_fields"] == [field]
    assert not Incident.objects.exists()


def test_a_missing_deployment_report_answers_the_seed_blocker(change_folder):
    change_folder["deploy"].unlink()

    result = change_import(change_id=CHANGE, by=UserFactory())

    assert result.answer["blocker"] == {
        "description": "Missing deployment evidence / Cannot verify production deployment",
        "resolution_required": "Provide deployment log or confirmation",
        "affected_fields": ["deployment_evidence"],
    }


def test_a_change_that_is_not_a_hotfix_is_not_applicable(change_folder):
    change_folder["intent"].write_text("---\nis_hotfix: false\n---\n")

    result = change_import(change_id=CHANGE, by=UserFactory())

    assert result.answer == {
        "status": "not_applicable",
        "reason": "is_hotfix: false — postmortem not required for non-hotfix changes",
    }


@pytest.mark.parametrize("change_id", ["CHG-2026-bad", "../../etc", "CHG-20261118-../x"])
def test_a_bad_change_id_is_blocked(roots, change_id):
    result = change_import(change_id=change_id, by=UserFactory())

    assert result.answer["blocker"]["affected_fields"] == ["change_id"]


def test_a_change_folder_symlinked_out_of_the_repository_is_blocked(roots, tmp_path):
    outside = tmp_path / "outside"
    write(outside / "00-change-intent.md", "---\nis_hotfix: true\n---\n")
    (roots[0] / "Planning/Changes").mkdir(parents=True)
    (roots[0] / "Planning/Changes" / CHANGE).symlink_to(outside)

    result = change_import(change_id=CHANGE, by=UserFactory())

    assert result.answer["blocker"]["affected_fields"] == ["path"]


def test_an_incident_the_user_cannot_see_is_not_updated(change_folder):
    hidden = IncidentFactory(restricted=True, is_hotfix=True, change_id=CHANGE, title="Hidden")

    result = change_import(change_id=CHANGE, by=UserFactory())

    assert result.answer["status"] == "blocked"
    assert "Hidden" not in json.dumps(result.answer)
    hidden.refresh_from_db()
    assert hidden.title == "Hidden"


def test_the_command_prints_the_answer(change_folder):
    UserFactory(username="dana")
    out = io.StringIO()

    call_command("import_change", CHANGE, "--user", "dana", stdout=out)

    assert json.loads(out.getvalue())["status"] == "complete"
    change_folder["deploy"].unlink()
    Incident.objects.all().delete()
    with pytest.raises(CommandError, match="Missing deployment evidence"):
        call_command("import_change", CHANGE, "--user", "dana", stdout=io.StringIO())


def test_the_import_form(client, change_folder):
    client.force_login(UserFactory())
    url = reverse("postmortems:import")

    assert client.get(url).status_code == 200
    bad = client.post(url, {"change_id": "not-a-change"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    assert "is not a change id" in bad.text
    response = client.post(url, {"change_id": CHANGE}, HTTP_HX_REQUEST="true")
    incident = Incident.objects.get()
    assert response.status_code == 200
    assert f'href="{reverse("postmortems:detail", args=[incident.ref])}"' in response.text
