"""Audit requirements.lock against PyPI's advisories where pip-audit cannot run.

    .venv/bin/python scripts/audit_lock.py [requirements.lock]

pip-audit asks PyPI for each pinned version (/pypi/<name>/<version>/json).
Behind a registry mirror that serves only the project documents
(/pypi/<name>/json), those answer 404 and pip-audit has nothing to audit
against. A project document still carries the advisories (PYSEC, GHSA) of
the project's newest release, so a pin that *is* the newest release is
audited exactly; a pin behind it cannot be, and is listed as such.

Exits 1 when a pinned version has a known vulnerability, or when PyPI could
not be read; pins behind the newest release are reported, not failed, since
a release upstream would otherwise break CI with no change here.
"""

import json
import re
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")


def pins(lock: Path) -> list[tuple[str, str]]:
    return [m.groups() for line in lock.read_text().splitlines() if (m := PIN.match(line))]


def project(name: str) -> dict:
    url = f"https://pypi.org/pypi/{name}/json"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def audit(name: str, version: str) -> tuple[str, str, str, list[str]]:
    """(name, pinned, newest, advisory ids that apply to the pin)."""
    document = project(name)
    newest = document["info"]["version"]
    if version != newest:
        return name, version, newest, []
    found = [v["id"] for v in document.get("vulnerabilities") or [] if not v.get("withdrawn")]
    return name, version, newest, found


def main() -> int:
    lock = Path(sys.argv[1] if len(sys.argv) > 1 else "requirements.lock")
    pinned = pins(lock)
    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda pin: audit(*pin), pinned))
    except OSError as error:
        print(f"audit NOT RUN: PyPI's project documents are not reachable ({error}).")
        return 1
    vulnerable = [r for r in results if r[3]]
    behind = [r for r in results if r[1] != r[2]]
    for name, version, _, ids in vulnerable:
        print(f"VULNERABLE {name}=={version}: {', '.join(ids)}")
    for name, version, newest, _ in behind:
        print(f"not audited {name}=={version}: PyPI publishes advisories here for {newest} only")
    audited = len(results) - len(behind)
    print(
        f"{audited} of {len(results)} pinned versions audited against PyPI's advisories: "
        f"{len(vulnerable)} with a known vulnerability."
    )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
