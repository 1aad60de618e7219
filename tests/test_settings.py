"""Settings read from the environment, and the deployment files that set it.

Settings are read once per process, so each case starts a fresh Python with a
clean environment: only what the case sets reaches Django.
"""

import importlib
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)

SETUP = "import django; django.setup(); from django.conf import settings; "


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-c", code], env)


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "manage.py", *args], env)


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "postmortems.settings",
        **env,
    }
    return subprocess.run(
        command, cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120
    )


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def test_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = run_python(SETUP + "print('started')", DATABASE_URL=sqlite_url(tmp_path / "db"))

    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "django.core.exceptions.ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_starts_with_debug_and_no_secret_key(tmp_path):
    result = run_python(
        SETUP + "print(settings.DEBUG, settings.SECRET_KEY.startswith('django-insecure'))",
        DEBUG="1",
        DATABASE_URL=sqlite_url(tmp_path / "db"),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "maybe"), ("EMAIL_USE_TLS", "tru")])
def test_a_bad_boolean_fails_loudly(tmp_path, name, value):
    result = run_python(
        SETUP + "print('started')",
        SECRET_KEY="x" * 50,
        DATABASE_URL=sqlite_url(tmp_path / "db"),
        **{name: value},
    )

    assert result.returncode != 0
    assert "started" not in result.stdout
    assert f"ImproperlyConfigured: {name}={value!r} is not a boolean" in result.stderr


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    """A transaction takes the write lock when it begins, so a second writer waits for it.

    Deferred transactions (SQLite's default) would start as readers and fail with
    "database is locked" when two of them later try to write.
    """
    database = tmp_path / "wal.sqlite3"
    code = SETUP + (
        "import sqlite3\n"
        "from django.db import connection, transaction\n"
        "with transaction.atomic():\n"
        "    with connection.cursor() as cursor:\n"
        "        cursor.execute('PRAGMA journal_mode')\n"
        "        print(cursor.fetchone()[0])\n"
        "    other = sqlite3.connect(settings.DATABASES['default']['NAME'], timeout=0)\n"
        "    try:\n"
        "        other.execute('BEGIN IMMEDIATE')\n"
        "        print('second writer got the lock')\n"
        "    except sqlite3.OperationalError as exc:\n"
        "        print(exc)\n"
    )
    result = run_python(code, DEBUG="1", DATABASE_URL=sqlite_url(database))

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["wal", "database is locked"]
    # WAL is a property of the file: it stays on for every later connection.
    assert sqlite3.connect(database).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.django_db
def test_the_test_database_runs_in_wal_mode_too():
    # The live-server and concurrency tests share this file with other threads.
    if connection.vendor != "sqlite":
        pytest.skip(f"WAL is an SQLite journal mode; this run's database is {connection.vendor}")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_deploy_checks_pass_with_production_settings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="example.com",
        DATABASE_URL=sqlite_url(tmp_path / "db"),
        # Django 6.1 refuses the console backend in a deployment (mail.E001):
        # production sends its reminders for real.
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


# docker-compose.yml: the production shape. No docker engine runs the tests, so
# the file is read as YAML and its wiring checked; `docker compose config`
# validates it too where the docker CLI has the compose plugin.

COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def test_compose_has_the_services_with_healthchecks(compose):
    services = compose["services"]

    assert {"web", "worker", "beat", "postgres", "redis"} <= services.keys()
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "redis-cli" in " ".join(services["redis"]["healthcheck"]["test"])
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")


def test_compose_app_services_wait_for_healthy_services_and_share_the_export_volumes(compose):
    services = compose["services"]
    for name in APP_SERVICES:
        service = services[name]
        assert service["build"], name
        for dependency in ("postgres", "redis"):
            assert service["depends_on"][dependency]["condition"] == "service_healthy", name
        environment = service["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://"), name
        assert environment["REDIS_URL"].startswith("redis://redis:6379"), name
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?"), name
        assert environment["EXPORT_REPO_ROOT"] == "/data/export-repo", name
        assert environment["EXPORT_LOG_ROOTS"] == "/data/log-roots", name

    for name in ("web", "worker"):
        mounts = {mount.split(":")[1]: mount.split(":")[0] for mount in services[name]["volumes"]}
        assert mounts["/data/export-repo"] in compose["volumes"], name
        assert mounts["/data/log-roots"] in compose["volumes"], name
    # Migrations run once, before the web processes and workers start.
    assert services["migrate"]["command"].split()[-2:] == ["migrate", "--noinput"]
    for name in APP_SERVICES:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


def test_compose_web_serves_asgi_with_an_importable_worker_class(compose):
    command = compose["services"]["web"]["command"].split()

    assert command[:2] == ["gunicorn", "postmortems.asgi:application"]
    module, _, name = command[command.index("-k") + 1].rpartition(".")
    assert hasattr(importlib.import_module(module), name)


def test_compose_config_is_valid_for_docker_compose():
    docker = shutil.which("docker")
    if not docker or subprocess.run([docker, "compose", "version"], capture_output=True).returncode:
        pytest.skip("the docker CLI with the compose plugin is not installed")
    result = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE_FILE), "config", "--quiet"],
        env={**os.environ, "SECRET_KEY": "x" * 50},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
