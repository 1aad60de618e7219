"""Real processes a test starts on its own: ASGI servers and a redis-server,
reading the test's database (Celery workers are tests/export/test_worker.py's)."""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent


def database_url() -> str:
    """The test's database, as a URL another process can open."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor != "postgresql":
        # The project runs on SQLite and PostgreSQL only: another database is
        # a broken test setup, not a service to skip for.
        raise RuntimeError(f"No database URL for {connection.vendor}")
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def start_asgi_server(redis_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        # The test process signs the session cookies: same key.
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "postmortems.asgi:application",
         "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off",
         "--log-level", "warning", "--timeout-graceful-shutdown", "2"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    wait_for_port(port, server, "The ASGI server")
    return server, f"http://127.0.0.1:{port}"


class RedisServer:
    """A redis-server of the test's own, on a free port. Killed and started
    again it comes back empty, as after a crash, or with ``keep_data`` (an
    append-only file, as docker-compose runs it) with its keys as they were."""

    def __init__(self, folder: Path, *, keep_data: bool = False):
        self.keep_data = keep_data
        if not shutil.which("redis-server"):
            need("redis-server", "the binary is not on PATH; install Debian's redis-server")
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "yes" if self.keep_data else "no",
             "--appendfsync", "always", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, self.process, "redis-server", timeout=10)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)


@contextmanager
def redis_server(folder: Path, *, keep_data: bool = False) -> Iterator[RedisServer]:
    redis = RedisServer(folder, keep_data=keep_data)
    redis.start()
    try:
        yield redis
    finally:
        if redis.process is not None:
            stop(redis.process)
