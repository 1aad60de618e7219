import pytest
from django.core.exceptions import ValidationError

from postmortems.models import ContributingFactor, Postmortem, Revision, Why
from postmortems.services import (
    impact_field_save,
    postmortem_start,
    postmortem_transition,
    row_add,
    row_delete,
    row_edit,
    row_move,
    section_save,
    signoff_sign,
)
from postmortems.versioning import StaleVersion, normalize_text, same_text
from tests.factories import IncidentFactory, UserFactory, complete_postmortem

pytestmark = pytest.mark.django_db


@pytest.fixture
def postmortem():
    return postmortem_start(incident=IncidentFactory(), kind="review", facilitator=None)


@pytest.fixture
def ana():
    return UserFactory(username="ana")


@pytest.fixture
def ben():
    return UserFactory(username="ben")


def test_of_two_saves_from_the_same_version_the_first_wins(postmortem, ana, ben):
    section = postmortem.sections.get(key="root_cause")
    section_save(section=section, by=ana, body="Pool exhausted by leaked connections.", version=1)
    with pytest.raises(StaleVersion) as conflict:
        section_save(section=section, by=ben, body="A config change.", version=1)
    assert conflict.value.current.body == "Pool exhausted by leaked connections."
    section.refresh_from_db()
    assert (section.body, section.version) == ("Pool exhausted by leaked connections.", 2)
    assert Revision.objects.filter(target="section:root_cause").count() == 1


def test_a_save_records_who_changed_what(postmortem, ana):
    section = postmortem.sections.get(key="lessons")
    section_save(section=section, by=ana, body="Alert on queue age.", version=1)
    revision = Revision.objects.get()
    assert (revision.author, revision.target, revision.version, revision.content) == (
        ana,
        "section:lessons",
        2,
        "Alert on queue age.",
    )


def test_whitespace_only_autosaves_never_conflict(postmortem, ana, ben):
    section = postmortem.sections.get(key="prevention")
    section_save(section=section, by=ana, body="Line one\nLine two", version=1)
    unchanged = section_save(section=section, by=ben, body="Line one  \r\nLine two\n\n", version=1)
    assert unchanged.version == 2
    assert Revision.objects.count() == 1


def test_text_is_stored_with_unix_line_endings():
    assert normalize_text("a \r\nb\r\n\r\n") == "a\nb"
    assert same_text("a\n", "a")
    assert not same_text("a b", "ab")


def test_impact_fields_use_the_same_rule(postmortem, ana, ben):
    field = postmortem.impact_fields.get(key="slo_budget_consumed")
    impact_field_save(field=field, by=ana, value="31%", version=1)
    with pytest.raises(StaleVersion):
        impact_field_save(field=field, by=ben, value="30%", version=1)
    field.refresh_from_db()
    assert field.value == "31%"


def test_the_workflow_moves_one_step_at_a_time_and_records_it(ana):
    postmortem = complete_postmortem(Postmortem.Kind.REVIEW)
    with pytest.raises(ValidationError):
        postmortem_transition(postmortem=postmortem, to="final", by=ana, version=1)
    postmortem = postmortem_transition(postmortem=postmortem, to="in_review", by=ana, version=1)
    postmortem = postmortem_transition(postmortem=postmortem, to="final", by=ana, version=2)
    assert postmortem.state == Postmortem.State.FINAL
    assert postmortem.finalized_at is not None
    history = list(Revision.objects.filter(target="workflow").values_list("summary", flat=True))
    assert history == ["Draft → In review", "In review → Final"]


def test_reopening_a_final_postmortem_clears_its_final_date(ana):
    postmortem = complete_postmortem(Postmortem.Kind.REVIEW)
    for step, to in enumerate(["in_review", "final", "in_review"], start=1):
        postmortem = postmortem_transition(postmortem=postmortem, to=to, by=ana, version=step)
    assert postmortem.finalized_at is None


def test_two_facilitators_cannot_both_move_it(postmortem, ana, ben):
    postmortem_transition(postmortem=postmortem, to="in_review", by=ana, version=1)
    with pytest.raises(StaleVersion):
        postmortem_transition(postmortem=postmortem, to="in_review", by=ben, version=1)


def test_factors_are_added_in_order_edited_with_versions_and_moved(postmortem, ana, ben):
    trigger = row_add(
        model=ContributingFactor,
        postmortem=postmortem,
        by=ana,
        layer="technical_trigger",
        description="Pool size halved by a config change.",
    )
    gap = row_add(
        model=ContributingFactor,
        postmortem=postmortem,
        by=ana,
        layer="detection_gap",
        description="No alert on pool saturation.",
    )
    assert [trigger.position, gap.position] == [0, 1]
    row_edit(row=gap, by=ana, version=1, status="verified")
    with pytest.raises(StaleVersion):
        row_edit(row=gap, by=ben, version=1, description="Alerts were noisy.")
    row_move(row=gap, by=ana, offset=-1)
    assert list(postmortem.factors.values_list("layer", flat=True)) == [
        "detection_gap",
        "technical_trigger",
    ]


def test_a_deleted_why_stays_in_the_history(postmortem, ana):
    why = row_add(model=Why, postmortem=postmortem, by=ana, question="Why?", answer="Because.")
    row_delete(row=why, by=ana, version=1)
    assert not postmortem.whys.exists()
    assert Revision.objects.filter(summary="Deleted why", content="Why? → Because.").exists()


def test_signing_off_records_who_and_when():
    postmortem = postmortem_start(incident=IncidentFactory(), kind="full", facilitator=None)
    lead = UserFactory()
    signoff = signoff_sign(signoff=postmortem.signoffs.get(role="Tech Lead"), by=lead, signed=True)
    assert signoff.user == lead
    assert signoff.signed_at is not None
    assert Revision.objects.filter(summary="Signed as Tech Lead", author=lead).exists()
