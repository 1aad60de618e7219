"""What the benches share: production settings, a scratch PostgreSQL
database, starting a server process, percentiles.

The benches run as scripts (`python bench/<name>.py`), so this folder is on
their import path and they `import common`.
"""

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-only-not-a-secret"

# Production settings (DEBUG off), less HTTPS: the benches speak plain HTTP on 127.0.0.1.
PRODUCTION = {
    "SECRET_KEY": SECRET,
    "DEBUG": "0",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "STATIC_ROOT": tempfile.mkdtemp(prefix="pm-bench-static-"),
    "LOG_LEVEL": "WARNING",
}

# How a server process is started: the command before the application path.
SERVERS = {
    # `make run`: one uvicorn process.
    "uvicorn": [sys.executable, "-m", "uvicorn", "--lifespan", "off", "--log-level", "warning"],
    # docker-compose: gunicorn with uvicorn workers (ASGI).
    "gunicorn-asgi": [sys.executable, "-m", "gunicorn", "-k", "uvicorn_worker.UvicornWorker"],
    # gunicorn's sync workers (WSGI): the floor's other half.
    "gunicorn-wsgi": [sys.executable, "-m", "gunicorn", "-k", "sync"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def setup_django(database_url: str, **env: str) -> None:
    os.environ.update(PRODUCTION, DATABASE_URL=database_url, **env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postmortems.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def manage(database_url: str, *command: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *command, "-v0"],
        cwd=ROOT,
        check=True,
        env=os.environ | PRODUCTION | {"DATABASE_URL": database_url},
    )


def serve(
    app: str,
    database_url: str,
    *,
    server: str = "uvicorn",
    workers: int = 1,
    redis_url: str = "",
    cwd: Path = ROOT,
    env: dict | None = None,
) -> tuple[subprocess.Popen, str]:
    """Start ``app`` ("module:application") on a free port; (process, base URL)."""
    port = free_port()
    command = [*SERVERS[server], app]
    if server == "uvicorn":
        command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    else:
        command += ["-b", f"127.0.0.1:{port}", "-w", str(workers), "--log-level", "warning"]
        command += ["--graceful-timeout", "5"]
    environment = os.environ | PRODUCTION | {"DATABASE_URL": database_url, "REDIS_URL": redis_url}
    process = subprocess.Popen(command, cwd=cwd, env=environment | (env or {}))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{' '.join(command)} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{' '.join(command)} did not start within 30 s")


def stop(*processes: subprocess.Popen) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def scratch_database(url: str, suffix: str) -> tuple[str, str]:
    """(admin URL, scratch database URL) on the PostgreSQL server ``url`` names."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit("DATABASE_URL must be a postgres:// URL: this bench measures PostgreSQL.")
    name = f"{parts.path.lstrip('/') or 'postmortems'}_{suffix}"
    return urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path=f"/{name}"))


def recreate(admin_url: str, database_url: str, *, drop_only: bool = False) -> None:
    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            admin.execute(f'CREATE DATABASE "{name}"')


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0.5, 0.95) of at least one value."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]
