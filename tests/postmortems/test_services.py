import pytest
from django.core.exceptions import ValidationError

from postmortems.kinds import TEMPLATES, Kind
from postmortems.services import postmortem_start
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", [Kind.FULL, Kind.REVIEW, Kind.PULSE])
def test_a_postmortem_gets_the_sections_of_its_template_in_seed_order(kind):
    postmortem = postmortem_start(incident=IncidentFactory(), kind=kind, facilitator=None)
    template = TEMPLATES[kind]
    assert list(postmortem.sections.values_list("title", flat=True)) == [
        s.title for s in template.sections
    ]
    assert set(postmortem.impact_fields.values_list("key", flat=True)) == {
        f.key for f in template.impact_fields
    }


def test_the_full_template_asks_for_the_four_seed_sign_offs():
    postmortem = postmortem_start(incident=IncidentFactory(), kind=Kind.FULL, facilitator=None)
    assert list(postmortem.signoffs.values_list("role", flat=True)) == [
        "Incident Commander",
        "Tech Lead",
        "Engineering Manager",
        "SRE Lead",
    ]


def test_the_review_template_asks_for_slo_budget_consumed():
    postmortem = postmortem_start(incident=IncidentFactory(), kind=Kind.REVIEW, facilitator=None)
    assert postmortem.impact_fields.filter(key="slo_budget_consumed").exists()


def test_a_hotfix_postmortem_needs_a_hotfix_incident():
    with pytest.raises(ValidationError) as error:
        postmortem_start(incident=IncidentFactory(), kind=Kind.HOTFIX, facilitator=None)
    assert "not_applicable" in str(error.value)
    assert "is_hotfix: false" in str(error.value)


def test_a_hotfix_postmortem_needs_the_change_id():
    incident = IncidentFactory(is_hotfix=True, change_id="")
    with pytest.raises(ValidationError) as error:
        postmortem_start(incident=incident, kind=Kind.HOTFIX, facilitator=None)
    assert "change_id" in str(error.value)


def test_a_hotfix_incident_with_its_change_id_gets_the_hotfix_sections():
    incident = IncidentFactory(is_hotfix=True, change_id="CHG-20261119-login-token-refresh")
    postmortem = postmortem_start(incident=incident, kind=Kind.HOTFIX, facilitator=None)
    assert postmortem.sections.filter(title="Why Hotfix (vs. Normal Release)").exists()
