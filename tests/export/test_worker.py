"""The export through real Celery workers: separate processes sharing this
test's database and Redis, one of them killed in the middle of an export.

Each test starts its own workers on a queue of its own (the CI run's worker
reads another database), with a short visibility timeout so that a task a
killed worker took is handed to the next one within seconds.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from postmortems.celery import app as celery_app
from postmortems.export import files
from postmortems.export.services import export_request
from postmortems.models import ExportRun
from postmortems.tasks import export_postmortem
from tests.conftest import need
from tests.export.conftest import git

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)


def database_url() -> str:
    """This test's database, for the worker processes."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor != "postgresql":
        pytest.skip(f"No worker URL for {connection.vendor}")
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}"


class Workers:
    def __init__(self, tmp_path: Path, repo: Path, logs: Path):
        self.queue = f"export-test-{uuid.uuid4().hex[:10]}"
        self.tmp_path = tmp_path
        self.env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", "/tmp"),
            "SECRET_KEY": "tests-only-not-a-secret",
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "EXPORT_REPO_ROOT": str(repo),
            "EXPORT_LOG_ROOTS": str(logs),
            "EXPORT_GIT_AUTHOR_NAME": "Postmortem export",
            "EXPORT_GIT_AUTHOR_EMAIL": "export@example.com",
            "CELERY_VISIBILITY_TIMEOUT": "5",
        }
        self.processes: list[subprocess.Popen] = []

    def start(self, **env: str) -> subprocess.Popen:
        name = f"{self.queue}-{len(self.processes)}@localhost"
        log = (self.tmp_path / f"{name}.log").open("w")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "postmortems",
                "worker",
                "--pool=solo",
                f"--queues={self.queue}",
                f"--hostname={name}",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=info",
            ],
            cwd=BASE_DIR,
            env=self.env | env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, ended as one
        )
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while not celery_app.control.ping(destination=[name], timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"worker {name} did not start:\n{self.log(name)}")
        return process

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text()

    def kill(self, process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        if process.poll() is None:
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.kill(process)


@pytest.fixture
def workers(roots, tmp_path):
    if not settings.REDIS_URL:
        need("Redis and a Celery worker", "REDIS_URL is not set; the export test starts its own")
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    pool = Workers(tmp_path, *roots)
    try:
        yield pool
    finally:
        pool.stop_all()
        celery_app.conf.task_always_eager = previous


def send(postmortem, queue: str) -> ExportRun:
    run = export_request(postmortem=postmortem, by=None, queue=False)
    export_postmortem.apply_async((run.pk,), queue=queue)
    return run


def wait_finished(run: ExportRun, timeout: float = 120) -> ExportRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if not run.active:
            return run
        time.sleep(0.3)
    pytest.fail(f"export run {run.pk} still {run.status} after {timeout:.0f} s")


def commits(repo: Path) -> list[str]:
    return git(repo, "log", "--format=%s").splitlines()


def test_a_worker_exports_the_demo_hotfix_and_a_second_export_commits_nothing(
    workers, demo_postmortems, roots
):
    repo, _ = roots
    hotfix = demo_postmortems["hotfix"]
    change = hotfix.incident.change_id
    worker = workers.start()

    run = wait_finished(send(hotfix, workers.queue))

    assert run.status == ExportRun.Status.COMPLETE, (run.contract, run.error)
    assert run.contract["status"] == "complete"
    main = repo / "Planning/Changes" / change / "99-postmortem.md"
    log_root = Path(hotfix.log_root)
    for path in (main, log_root / "postmortem/postmortem.md", log_root / "meta/postmortem.log.md"):
        assert path.read_text().startswith("---\ntags: [")
    assert f"# Hotfix Postmortem — {change}\n" in main.read_text()
    assert commits(repo) == [f"Post-Mortem: {hotfix.incident.title}", "Start"]
    assert run.commit_sha == git(repo, "rev-parse", "HEAD").strip()
    assert worker.pid != os.getpid()

    again = wait_finished(send(hotfix, workers.queue))

    assert again.status == ExportRun.Status.COMPLETE
    assert len(commits(repo)) == 2
    assert again.commit_sha == run.commit_sha


def test_a_worker_killed_mid_export_leaves_no_partial_file_and_the_next_finishes_once(
    workers, demo_postmortems, roots
):
    repo, _ = roots
    hotfix = demo_postmortems["hotfix"]
    target = repo / "Planning/Changes" / hotfix.incident.change_id / "99-postmortem.md"
    first = workers.start(**{files.PAUSE_ENV: "300"})  # stops before its first rename
    run = send(hotfix, workers.queue)
    deadline = time.monotonic() + 60
    while not files.temp_files(target):
        assert time.monotonic() < deadline, "the export never wrote its temporary file"
        time.sleep(0.2)

    workers.kill(first)

    assert not target.exists()  # the temporary file was never renamed into place
    run.refresh_from_db()
    assert (run.status, run.attempts) == (ExportRun.Status.RUNNING, 1)

    workers.start()
    run = wait_finished(run)

    assert run.status == ExportRun.Status.COMPLETE, (run.contract, run.error)
    assert run.attempts == 2
    assert target.read_text() == run.markdown
    assert commits(repo) == [f"Post-Mortem: {hotfix.incident.title}", "Start"]
    leftovers = [p for p in repo.parent.rglob(f"*{files.TEMP_SUFFIX}")]
    assert leftovers == []
    assert ExportRun.objects.count() == 1
