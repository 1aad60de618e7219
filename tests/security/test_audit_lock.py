"""scripts/audit_lock.py: the lock audit CI runs where pip-audit cannot."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_lock.py"

# PyPI's project documents, as much of them as the audit reads.
DOCUMENTS = {
    "pycrypto": {
        "info": {"version": "2.6.1"},
        "vulnerabilities": [{"id": "PYSEC-2018-97", "withdrawn": None}],
    },
    "django": {"info": {"version": "6.1.3"}, "vulnerabilities": []},
    "bleach": {
        "info": {"version": "6.4.0"},
        "vulnerabilities": [{"id": "GHSA-withdrawn", "withdrawn": "2026-01-01T00:00:00"}],
    },
    "celery": {"info": {"version": "5.8.0"}, "vulnerabilities": [{"id": "PYSEC-new"}]},
}


@pytest.fixture
def audit_lock(monkeypatch):
    spec = importlib.util.spec_from_file_location("audit_lock", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "project", lambda name: DOCUMENTS[name.lower()])
    return module


def run(audit_lock, monkeypatch, tmp_path, lock_text):
    lock = tmp_path / "requirements.lock"
    lock.write_text(lock_text)
    monkeypatch.setattr("sys.argv", ["audit_lock.py", str(lock)])
    return audit_lock.main()


def test_a_pinned_newest_release_with_an_advisory_fails_the_audit(
    audit_lock, monkeypatch, tmp_path, capsys
):
    lock = "# Regenerate with `make lock`.\npycrypto==2.6.1\nDjango==6.1.3\n"
    assert run(audit_lock, monkeypatch, tmp_path, lock) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE pycrypto==2.6.1: PYSEC-2018-97" in out
    assert "2 of 2 pinned versions audited" in out


def test_withdrawn_advisories_and_clean_pins_pass(audit_lock, monkeypatch, tmp_path, capsys):
    assert run(audit_lock, monkeypatch, tmp_path, "Django==6.1.3\nbleach==6.4.0\n") == 0
    assert "0 with a known vulnerability" in capsys.readouterr().out


def test_a_pin_behind_the_newest_release_is_listed_as_not_audited(
    audit_lock, monkeypatch, tmp_path, capsys
):
    # The newest celery's advisory says nothing of 5.7.0: not counted, not hidden.
    assert run(audit_lock, monkeypatch, tmp_path, "celery==5.7.0\n") == 0
    out = capsys.readouterr().out
    assert "not audited celery==5.7.0" in out
    assert "0 of 1 pinned versions audited" in out
