"""Take the README's screenshot: the demo workspace's incident list, signed in.

    make screenshot        (or: .venv/bin/python scripts/screenshot.py [output.png])

Builds the demo in a throwaway SQLite database, serves it with uvicorn on a free
port, signs in through the login form in headless Chromium (/usr/bin/chromium)
and writes docs/screenshot.png. Nothing of the developer's own database is used.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MAX_BYTES = 300 * 1024
VIEWPORT = {"width": 1280, "height": 800}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"The server exited with {server.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"No answer from {url} after {seconds:g} s")


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else BASE_DIR / "docs" / "screenshot.png"
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium")

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "DJANGO_SETTINGS_MODULE": "postmortems.settings",
        }
        env.pop("REDIS_URL", None)
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True)
        subprocess.run([*manage, "load_demo"], cwd=BASE_DIR, env=env, check=True)

        os.environ.update(DEBUG="1", DJANGO_SETTINGS_MODULE="postmortems.settings")
        from django.conf import settings

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        uvicorn = ["uvicorn", "postmortems.asgi:application", "--lifespan", "off"]
        server = subprocess.Popen(
            [sys.executable, "-m", *uvicorn, "--host", "127.0.0.1", "--port", str(port)],
            cwd=BASE_DIR,
            env=env,
        )
        try:
            wait_until_up(f"{base}/login/", server)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport=VIEWPORT)
                page.goto(f"{base}/login/?next=/incidents/")
                page.get_by_label("Username").fill(settings.DEMO_USERNAME)
                page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(f"{base}/incidents/")
                output.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(output))
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)

    size = output.stat().st_size
    print(f"Wrote {output} ({size // 1024} KB)")
    if size > MAX_BYTES:
        sys.exit(f"{output} is over {MAX_BYTES // 1024} KB: too large to commit")


if __name__ == "__main__":
    main()
