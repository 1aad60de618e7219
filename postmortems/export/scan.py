"""Secrets and PII in text about to leave the workspace.

Secrets come from detect-secrets (its pattern detectors: cloud keys, tokens,
JWTs, credentials in URLs, keyword assignments, private key headers), plus
two rules of ours it misses in prose: a whole PEM private-key block, and
``password: value`` written in a sentence. PII is ours: email addresses,
phone numbers, IP addresses and card numbers that pass the Luhn check.

Near-misses must pass: commit hashes, UUIDs, version strings, dates and
times, ticket numbers. So the high-entropy detectors are off (a commit hash
is high-entropy) and every PII rule checks the shape, not just the digits.

A finding says where and what kind, never the value: ``Finding.hint`` is
at most a masked length. Imports no domain models.
"""

import ipaddress
import re
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from detect_secrets.core.scan import scan_line
from detect_secrets.settings import transient_settings

# detect-secrets' detectors that match a known shape; the high-entropy
# ones are left out (they flag commit hashes and most words), and so is
# IPPublicDetector (ours below also covers private and IPv6 addresses).
DETECTORS = (
    "AWSKeyDetector",
    "ArtifactoryDetector",
    "AzureStorageKeyDetector",
    "BasicAuthDetector",
    "CloudantDetector",
    "DiscordBotTokenDetector",
    "GitHubTokenDetector",
    "GitLabTokenDetector",
    "IbmCloudIamDetector",
    "IbmCosHmacDetector",
    "JwtTokenDetector",
    "KeywordDetector",
    "MailchimpDetector",
    "NpmDetector",
    "OpenAIDetector",
    "PrivateKeyDetector",
    "PypiTokenDetector",
    "SendGridDetector",
    "SlackDetector",
    "SoftlayerDetector",
    "SquareOAuthDetector",
    "StripeDetector",
    "TelegramBotTokenDetector",
    "TwilioKeyDetector",
)
# detect-secrets keeps its configuration in a process-wide singleton.
_detect_secrets_lock = threading.Lock()

# A token around a detector's match: detectors report a prefix ("ghp") or
# leave off a JWT's signature, and the redaction must cover all of it.
TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-.+/=~]")

PEM_BLOCK = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?"
    r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\Z)",
    re.DOTALL,
)
CREDENTIAL = re.compile(
    r"(?i)\b[\w.-]*(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|"
    r"access[_-]?key|private[_-]?key|client[_-]?secret|credentials?)[\w.-]*"
    r"[\"']?\s*(?:[:=]|\bis\b|\bwas\b)\s*[\"'`]?(?P<value>[^\s\"'`,;|<>)\]]{6,})"
)
PLACEHOLDER = re.compile(r"^(?:\$\{.*\}|\{\{.*\}\}|\*+|x+|\.+|<.*>|\[REDACTED:.*\])$", re.I)

EMAIL = re.compile(
    r"(?<![\w.+/-])[A-Za-z0-9][A-Za-z0-9._%+-]*@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?![\w-])"
)
URL_USER = re.compile(r"://[^\s/@:]*:$")
# +country code with groups, or a North American (xxx) xxx-xxxx; both need
# separators where a date, a time or a ticket number has other shapes.
PHONE = re.compile(
    r"(?<![\w+.-])(?:"
    r"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]\d{2,4}){1,4}"
    r"|\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}"
    r"|\d{3}[ .]\d{3}[ .]\d{4}"
    r"|\d{3}-\d{3}-\d{4}"
    r")(?![\w.-]*\d)"
)
IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)(?!\.\w)")
IPV6_CANDIDATE = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
CARD = re.compile(r"(?<![\w.-])\d(?:[ -]?\d){12,18}(?![\w.-]*\d)")
# Versions (v1.2.3.4, 5.12.1-rc.1) are never addresses.
VERSION_PREFIX = re.compile(r"(?:\bv|version\s|release\s|build\s)$", re.I)


@dataclass(frozen=True)
class Finding:
    kind: str  # the slug in [REDACTED:<kind>]
    label: str  # what a person reads: "Email address", "GitHub token"
    line: int  # 1-based, in the scanned text
    column: int  # 1-based
    length: int
    where: str = ""  # the heading the line sits under, set by the caller

    @property
    def hint(self) -> str:
        return f"{self.length} characters"

    def as_dict(self) -> dict:
        return asdict(self) | {"hint": self.hint}


# The [REDACTED:<kind>] of our own labels; detect-secrets' types are slugged.
KINDS = {
    "Email address": "email",
    "Phone number": "phone",
    "IP address": "ip-address",
    "Card number": "card-number",
    "Password or secret": "secret",
    "Credentials in a URL": "credentials",
    "Private key": "private-key",
}


def _slug(label: str) -> str:
    return KINDS.get(label) or re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _widen(line: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and TOKEN_CHARS.match(line[start - 1]):
        start -= 1
    while end < len(line) and TOKEN_CHARS.match(line[end]):
        end += 1
    return start, end


# detect-secrets' findings by line: the checks scan the whole document on
# every view, and most of its lines are the same as last time.
_seen: dict[str, tuple] = {}
SEEN_LINES = 50_000


def _detected(lines: list[str]) -> list[tuple]:
    """detect-secrets' findings per line. Its settings are entered once per
    text, for the lines not seen before: entering them costs more than
    scanning a line."""
    missing = {line for line in lines if line.strip() and line not in _seen}
    if missing:
        with (
            _detect_secrets_lock,
            transient_settings({"plugins_used": [{"name": name} for name in DETECTORS]}),
        ):
            if len(_seen) > SEEN_LINES:
                _seen.clear()
            _seen.update((line, tuple(scan_line(line))) for line in missing)
    return [_seen.get(line, ()) for line in lines]


def _detect_secrets(line: str, secrets: tuple) -> Iterable[tuple[str, int, int]]:
    for secret in secrets:
        value = secret.secret_value or ""
        start = line.find(value) if value else -1
        if start < 0:
            continue
        # Basic auth: only the password between ":" and "@" is the secret.
        if secret.type == "Basic Auth Credentials":
            yield "Credentials in a URL", start, start + len(value)
            continue
        begin, end = _widen(line, start, start + len(value))
        label = "Password or secret" if secret.type == "Secret Keyword" else secret.type
        yield label, begin, end


def _credentials(line: str) -> Iterable[tuple[str, int, int]]:
    for match in CREDENTIAL.finditer(line):
        value = match["value"].rstrip(".")
        if PLACEHOLDER.match(value) or value.isalpha() or value.startswith("[REDACTED:"):
            continue  # "secret: rotation", "password: <set in vault>"
        yield "Password or secret", match.start("value"), match.start("value") + len(value)


def _pii(line: str) -> Iterable[tuple[str, int, int]]:
    for match in EMAIL.finditer(line):
        if URL_USER.search(line[: match.start()]):
            continue  # the password@host of scheme://user:password@host is a credential
        yield "Email address", match.start(), match.end()
    for match in IPV4.finditer(line):
        octets = match[0].split(".")
        if any(int(o) > 255 or (len(o) > 1 and o[0] == "0") for o in octets):
            continue
        if octets[0] in {"0", "127"} or VERSION_PREFIX.search(line[: match.start()]):
            continue  # loopback, "this host" and version numbers say nothing of anyone
        yield "IP address", match.start(), match.end()
    for match in IPV6_CANDIDATE.finditer(line):
        text = match[0]
        if "::" not in text and text.count(":") != 7:
            continue  # times (10:15:32) and ratios have fewer groups
        try:
            address = ipaddress.IPv6Address(text)
        except ValueError:
            continue
        if not (address.is_loopback or address.is_unspecified):
            yield "IP address", match.start(), match.end()
    for match in CARD.finditer(line):
        digits = re.sub(r"\D", "", match[0])
        if 13 <= len(digits) <= 19 and _luhn(digits) and len(set(digits)) > 1:
            yield "Card number", match.start(), match.end()
    for match in PHONE.finditer(line):
        digits = re.sub(r"\D", "", match[0])
        if 10 <= len(digits) <= 15:
            yield "Phone number", match.start(), match.end()


def scan(text: str) -> list[Finding]:
    """Every secret and piece of PII in ``text``, one finding per span."""
    spans: list[tuple[int, int, int, str]] = []  # (line, start, end, label)
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    for match in PEM_BLOCK.finditer(text):
        line_no = next(i for i, offset in enumerate(offsets) if offset > match.start()) - 1
        column = match.start() - offsets[line_no]
        spans.append((line_no, column, column + match.end() - match.start(), "Private key"))
    detected = _detected(lines)
    for line_no, line in enumerate(lines):
        found = [*_detect_secrets(line, detected[line_no]), *_credentials(line), *_pii(line)]
        spans.extend((line_no, start, end, label) for label, start, end in found)
    findings: list[Finding] = []
    taken: list[tuple[int, int, int]] = []
    # Widest first, so a card number inside a URL's password is one finding.
    for line_no, start, end, label in sorted(spans, key=lambda s: (s[0], s[1], s[1] - s[2])):
        if any(line_no == ln and start < e and s < end for ln, s, e in taken):
            continue
        taken.append((line_no, start, end))
        findings.append(
            Finding(_slug(label), label, line=line_no + 1, column=start + 1, length=end - start)
        )
    return findings


def redact(text: str, findings: list[Finding]) -> str:
    """``text`` with each finding replaced by ``[REDACTED:<kind>]``."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    # From the end, so earlier offsets stay right.
    for finding in sorted(findings, key=lambda f: (f.line, f.column), reverse=True):
        start = offsets[finding.line - 1] + finding.column - 1
        end = start + finding.length
        text = f"{text[:start]}[REDACTED:{finding.kind}]{text[end:]}"
    return text
