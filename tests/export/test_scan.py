"""The secrets and PII scanner: realistic fake values are found, near-misses pass,
findings never carry the value, and redaction replaces exactly the finding."""

import pytest

from postmortems.export.scan import redact, scan

FOUND = [
    ("AWS key AKIAIOSFODNN7EXAMPLE in the log", "aws-access-key"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "secret"),
    ("connect with postgres://app:s3cr3tPa55@db.internal:5432/prod", "credentials"),
    ("the db password was Tr0ub4dor&3 in the config", "secret"),
    ('api_key = "a8f5f167f44f4964e6c998dee827110c"', "secret"),
    ("token ghp_4x8Qk2Lm9Pz7Rt5Vw3Yb6Nc1Df0Gh8Jk2Ls4 leaked", "github-token"),
    ("slack xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "slack-token"),
    ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe-access-key"),
    (
        "jwt eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0"
        ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "json-web-token",
    ),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----", "private-key"),
    ("mail jane.doe@example.com about it", "email"),
    ("call +44 20 7946 0958 now", "phone"),
    ("or (415) 555-0132 after 5", "phone"),
    ("reached 415-555-0132 twice", "phone"),
    ("from 10.0.3.17 and", "ip-address"),
    ("client 203.0.113.7 retried", "ip-address"),
    ("host 2001:db8::8a2e:370:7334 was", "ip-address"),
    ("card 4111 1111 1111 1111 was charged", "card-number"),
    ("card 5500-0055-5555-5559 was charged", "card-number"),
]

NEAR_MISSES = [
    "commit 3f2a9c1d4e5b6a7980c1d2e3f4a5b6c7d8e9f0a1 fixed it (3f2a9c1)",
    "request id 550e8400-e29b-41d4-a716-446655440000 failed",
    "auth-service 5.12.1 deployed, release v2.14.0-rc.1, v1.2.3.4, version 10.2.0.1",
    "at 2026-11-24 10:15:32 UTC, between 12:18 and 15:30, ratio 3:1",
    "INC-2026-11-24-1, CHG-20261124-login-timeout, AI-001, PR #2291, JIRA-123",
    "≈52,000 users, 0.2% baseline, p95 8,500 ms, 1,000 connections, ticket 1234567890123",
    "4111 1111 1111 1112 fails the Luhn check",
    "localhost 127.0.0.1 and ::1",
    "The password reset flow failed; the secret: rotation is quarterly.",
    "password: <set in vault>",
    "https://tracker.example.com/browse/AUTH-231 and mailto links",
    "| AI-001 | Rotate the token | Marcus Okafor | P1 | 2026-11-24 | Open |",
]


@pytest.mark.parametrize(("text", "kind"), FOUND, ids=[k for _, k in FOUND])
def test_a_realistic_fake_is_found_and_redacted(text, kind):
    findings = scan(text)

    assert [f.kind for f in findings] == [kind]
    redacted = redact(text, findings)
    assert f"[REDACTED:{kind}]" in redacted
    assert scan(redacted) == []


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_a_near_miss_passes(text):
    assert scan(text) == []


def test_a_finding_says_where_and_what_but_never_the_value():
    text = "line one\nwrite to ana.silva@example.org today"

    (finding,) = scan(text)

    assert (finding.line, finding.column, finding.length) == (2, 10, 21)
    assert "ana.silva" not in str(finding.as_dict())
    assert finding.as_dict()["hint"] == "21 characters"


def test_redaction_keeps_the_text_around_each_finding():
    text = "Mail a@example.com or b@example.com.\nIP 10.1.2.3."

    assert redact(text, scan(text)) == (
        "Mail [REDACTED:email] or [REDACTED:email].\nIP [REDACTED:ip-address]."
    )
