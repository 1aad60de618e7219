import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from incidents.refs import (
    action_ref,
    incident_ref,
    parse_action_ref,
    parse_incident_ref,
    validate_change_id,
)


def test_incident_ref_round_trips():
    ref = incident_ref(dt.date(2026, 11, 24), 3)
    assert ref == "INC-2026-11-24-3"
    assert parse_incident_ref(ref) == (dt.date(2026, 11, 24), 3)


@pytest.mark.parametrize(
    "ref",
    [
        "INC-2026-11-24",
        "INC-2026-11-24-0",
        "INC-26-11-24-1",
        "inc-2026-11-24-1",
        "INC-2026-02-30-1",
    ],
)
def test_malformed_incident_refs_are_rejected_with_the_expected_format(ref):
    with pytest.raises(ValidationError) as error:
        parse_incident_ref(ref)
    assert ref in str(error.value)


@pytest.mark.parametrize(
    "value", ["CHG-20261124-login-timeout", "CHG-20261119-x", "CHG-20260101-a1-b2"]
)
def test_valid_change_ids(value):
    validate_change_id(value)


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("CHG-2026-11-24-login", "CHG-YYYYMMDD-<slug>"),
        ("CHG-20261124-Login", "lower-case slug"),
        ("CHG-20261124-", "CHG-YYYYMMDD-<slug>"),
        ("CHG-20261124-login--timeout", "CHG-YYYYMMDD-<slug>"),
        ("CHG-20261332-login", "date that does not exist"),
    ],
)
def test_invalid_change_ids_say_what_is_expected(value, hint):
    with pytest.raises(ValidationError) as error:
        validate_change_id(value)
    assert hint in error.value.messages[0]


def test_action_refs_are_zero_padded_and_parse_back():
    assert action_ref(1) == "AI-001"
    assert action_ref(1234) == "AI-1234"
    assert parse_action_ref("AI-042") == 42


@pytest.mark.parametrize("ref", ["AI-1", "AI-000", "ai-001", "AI-01a"])
def test_malformed_action_refs_are_rejected(ref):
    with pytest.raises(ValidationError):
        parse_action_ref(ref)
