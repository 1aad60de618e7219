import datetime as dt
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from postmortems.demo import load_demo
from postmortems.models import Postmortem

# The demo as loaded on this day, so rendered files do not depend on today.
DEMO_NOW = dt.datetime(2026, 11, 24, 12, 0, tzinfo=dt.UTC)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(
        path,
        "-c",
        "user.name=Team",
        "-c",
        "user.email=team@example.com",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "Start",
    )
    return path


@pytest.fixture
def roots(settings, tmp_path) -> tuple[Path, Path]:
    """A git repository and a log root of the test's own, configured as the export's."""
    repo = init_repo(tmp_path / "repo")
    logs = tmp_path / "log-roots"
    logs.mkdir()
    settings.EXPORT_REPO_ROOT = repo
    settings.EXPORT_LOG_ROOTS = [logs]
    settings.EXPORT_GIT_AUTHOR_NAME = "Postmortem export"
    settings.EXPORT_GIT_AUTHOR_EMAIL = "export@example.com"
    return repo, logs


def finalize(postmortem: Postmortem) -> Postmortem:
    Postmortem.objects.filter(pk=postmortem.pk).update(
        state=Postmortem.State.FINAL, finalized_at=postmortem.finalized_at or DEMO_NOW
    )
    postmortem.refresh_from_db()
    return postmortem


@pytest.fixture
def demo_postmortems(db, roots) -> dict[str, Postmortem]:
    """The demo's postmortem of each kind (not the restricted one), all Final."""
    with timezone.override(dt.UTC):
        load_demo(now=DEMO_NOW)
    postmortems = Postmortem.objects.filter(incident__restricted=False).select_related("incident")
    return {p.kind: finalize(p) for p in postmortems}
