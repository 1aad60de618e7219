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

import pytest
import redis
from django.conf import settings
from django.urls import reverse

from postmortems.celery import app as celery_app
from postmortems.export import files
from postmortems.export.services import export_request
from postmortems.models import ExportRun
from postmortems.tasks import export_postmortem
from tests.conftest import need
from tests.export.conftest import git
from tests.processes import database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)
# A task a killed worker took goes to a worker started this long after it
# was delivered (kombu hands it over when the worker starts).
VISIBILITY_TIMEOUT = 2
MAX_ATTEMPTS = 3


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
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "EXPORT_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        }
        self.processes: list[subprocess.Popen] = []
        self.paused_at = 0.0

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
        # Its log, not a ping: a worker given a queued task at once is busy
        # with it (one at a time) and would answer no ping until it is done.
        while f"{name} ready." not in self.log(name):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"worker {name} did not start:\n{self.log(name)}")
            time.sleep(0.1)
        return process

    def name(self, process: subprocess.Popen) -> str:
        return f"{self.queue}-{self.processes.index(process)}@localhost"

    def wait_paused(self, process: subprocess.Popen, point: str) -> None:
        """Until the worker's export stops at ``point`` (files.pause_for_tests)."""
        deadline = time.monotonic() + 60
        while f"export paused for tests at {point}" not in self.log(self.name(process)):
            assert process.poll() is None, self.log(self.name(process))
            assert time.monotonic() < deadline, f"the export never reached {point}"
            time.sleep(0.1)
        self.paused_at = time.monotonic()

    def take_over(self) -> subprocess.Popen:
        """A fresh worker, started once Redis hands it the killed worker's task."""
        time.sleep(max(0.0, self.paused_at + VISIBILITY_TIMEOUT + 0.2 - time.monotonic()))
        return self.start()

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill(process)

    def log(self, name: str) -> str:
        return (self.tmp_path / f"{name}.log").read_text()

    def kill(self, process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        if process.poll() is None:
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.processes:
            self.stop(process)


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
    first = workers.start(**{files.PAUSE_ENV: "before-rename:300"})
    run = send(hotfix, workers.queue)
    deadline = time.monotonic() + 60
    while not files.temp_files(target):
        assert time.monotonic() < deadline, "the export never wrote its temporary file"
        time.sleep(0.2)
    workers.wait_paused(first, "before-rename")

    workers.kill(first)

    assert not target.exists()  # the temporary file was never renamed into place
    run.refresh_from_db()
    assert (run.status, run.attempts) == (ExportRun.Status.RUNNING, 1)

    workers.take_over()
    run = wait_finished(run)

    assert run.status == ExportRun.Status.COMPLETE, (run.contract, run.error)
    assert run.attempts == 2
    assert target.read_text() == run.markdown
    assert commits(repo) == [f"Post-Mortem: {hotfix.incident.title}", "Start"]
    leftovers = [p for p in repo.parent.rglob(f"*{files.TEMP_SUFFIX}")]
    assert leftovers == []
    assert ExportRun.objects.count() == 1


def assert_committed_once(repo: Path, target: Path, run: ExportRun, exports: int) -> None:
    """The file as exported, in one commit per export, nothing left over."""
    assert run.status == ExportRun.Status.COMPLETE, (run.contract, run.error)
    assert target.read_text() == run.markdown
    touching = git(repo, "log", "--format=%H", "--", str(target.relative_to(repo))).split()
    assert len(touching) == exports
    assert touching[0] == run.commit_sha == git(repo, "rev-parse", "HEAD").strip()
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "fsck", "--strict", "--no-progress") == ""
    assert list(repo.parent.rglob(f"*{files.TEMP_SUFFIX}")) == []


POINTS = ["before-rename", "after-rename", "after-commit"]


def test_workers_killed_at_each_step_of_many_exports_each_commit_once(
    workers, demo_postmortems, roots
):
    """Three rounds of three exports, each with its worker SIGKILLed at one
    point (before the file's rename, after it, after the commit) and a fresh
    worker finishing it. Each export changes the file, so each is one commit."""
    repo, _ = roots
    hotfix = demo_postmortems["hotfix"]
    target = repo / "Planning/Changes" / hotfix.incident.change_id / "99-postmortem.md"
    exports = 0
    for round in range(3):
        for point in POINTS:
            exports += 1
            title = f"Checkout 5xx after the pool change (export {exports})"
            type(hotfix.incident).objects.filter(pk=hotfix.incident_id).update(title=title)
            doomed = workers.start(**{files.PAUSE_ENV: f"{point}:300"})
            run = send(hotfix, workers.queue)
            workers.wait_paused(doomed, point)

            workers.kill(doomed)
            fresh = workers.take_over()
            run = wait_finished(run)

            assert run.attempts == 2, (round, point)
            assert title in target.read_text()
            assert_committed_once(repo, target, run, exports)
            workers.stop(fresh)
    assert len(commits(repo)) == exports + 1  # and the repository's first


def test_an_export_that_kills_every_worker_fails_after_its_attempts_and_says_so(
    workers, demo_postmortems, roots, client
):
    """A poison export (its worker dies every time, as out of memory would):
    after EXPORT_MAX_ATTEMPTS deliveries it is failed, its message is gone,
    and the export panel says why."""
    repo, _ = roots
    hotfix = demo_postmortems["hotfix"]
    run = send(hotfix, workers.queue)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        doomed = workers.start(**{files.PAUSE_ENV: "after-rename:300"})
        workers.wait_paused(doomed, "after-rename")
        workers.kill(doomed)
        run.refresh_from_db()
        assert (run.status, run.attempts) == (ExportRun.Status.RUNNING, attempt)
        time.sleep(max(0.0, workers.paused_at + VISIBILITY_TIMEOUT + 0.2 - time.monotonic()))

    workers.start()  # takes the message once more, and only fails the run
    run = wait_finished(run)

    assert run.status == ExportRun.Status.FAILED
    assert run.attempts == MAX_ATTEMPTS
    assert run.error.startswith(f"Gave up after {MAX_ATTEMPTS} attempts")
    broker = redis.Redis.from_url(settings.REDIS_URL)
    assert broker.llen(workers.queue) == 0
    assert not [m for m in broker.hvals("unacked") if workers.queue.encode() in m]
    assert commits(repo) == ["Start"]  # killed after the rename, before any commit
    assert git(repo, "fsck", "--strict", "--no-progress") == ""
    client.force_login(hotfix.facilitator)
    panel = client.get(
        reverse("postmortems:export", args=[hotfix.incident.ref]), HTTP_HX_REQUEST="true"
    )
    assert 'data-export-status="failed"' in panel.text
    assert f"The export failed: Gave up after {MAX_ATTEMPTS} attempts" in panel.text
    assert "every 1s" not in panel.text  # the panel stops polling
