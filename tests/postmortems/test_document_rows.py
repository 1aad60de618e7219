"""Contributing factors and the 5 whys: add, edit, reorder and delete in place."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from postmortems.models import ContributingFactor, Revision, Why
from postmortems.services import postmortem_start
from tests.factories import ContributingFactorFactory, IncidentFactory, WhyFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def postmortem():
    return postmortem_start(incident=IncidentFactory(), kind="full", facilitator=None)


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def url(postmortem, name: str, pk: int | None = None) -> str:
    args = [postmortem.incident.ref] + ([pk] if pk else [])
    return reverse(f"postmortems:{name}", args=args)


def test_add_a_factor(signed_in, postmortem, user):
    response = signed_in.post(
        url(postmortem, "factor-add"),
        {"layer": "detection_gap", "status": "verified", "description": "No pool alert."},
        headers=HTMX,
    )
    assert response.status_code == 200
    assertContains(response, 'id="factors-panel"')
    assertContains(response, "No pool alert.")
    factor = postmortem.factors.get()
    assert (factor.layer, factor.status, factor.position) == ("detection_gap", "verified", 0)
    assert Revision.objects.filter(target=f"factor:{factor.pk}", author=user).exists()
    # The next one can be typed straight away: the add form has the focus.
    assertContains(response, "autofocus")


def test_an_invalid_factor_keeps_what_was_typed(signed_in, postmortem):
    response = signed_in.post(
        url(postmortem, "factor-add"),
        {"layer": "not-a-layer", "status": "candidate", "description": "Typed, kept."},
        headers=HTMX,
    )
    assert response.status_code == 422
    assertContains(response, "Typed, kept.", status_code=422)
    assertContains(response, "Select a valid choice", status_code=422)
    assert not postmortem.factors.exists()


def test_edit_a_factor(signed_in, postmortem):
    factor = ContributingFactorFactory(postmortem=postmortem)
    response = signed_in.post(
        url(postmortem, "factor-edit", factor.pk),
        {
            "layer": "organizational",
            "status": "verified",
            "description": "Trade-off.",
            "version": 1,
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    factor.refresh_from_db()
    assert (factor.layer, factor.status, factor.description, factor.version) == (
        "organizational",
        "verified",
        "Trade-off.",
        2,
    )


def test_a_stale_factor_edit_is_409_and_keeps_both(signed_in, postmortem):
    factor = ContributingFactorFactory(postmortem=postmortem, description="Theirs.", version=3)
    response = signed_in.post(
        url(postmortem, "factor-edit", factor.pk),
        {"layer": "technical_trigger", "status": "candidate", "description": "Mine.", "version": 2},
        headers=HTMX,
    )
    assert response.status_code == 409
    assertContains(response, "Theirs.", status_code=409)
    assertContains(response, "Mine.</textarea>", status_code=409)
    # Saving the open form again uses mine: it carries the current version.
    assertContains(response, 'name="version" value="3"', status_code=409)
    factor.refresh_from_db()
    assert factor.description == "Theirs."


def test_reorder_factors(signed_in, postmortem):
    a, _b, c = (
        ContributingFactorFactory(postmortem=postmortem, position=i, description=d)
        for i, d in enumerate("ABC")
    )
    signed_in.post(url(postmortem, "factor-move", c.pk), {"offset": -1}, headers=HTMX)
    order = list(postmortem.factors.values_list("description", flat=True))
    assert order == ["A", "C", "B"]
    response = signed_in.post(url(postmortem, "factor-move", a.pk), {"offset": 1}, headers=HTMX)
    assert list(postmortem.factors.values_list("description", flat=True)) == ["C", "A", "B"]
    content = response.content.decode()
    assert content.index("<p>C</p>") < content.index("<p>A</p>") < content.index("<p>B</p>")


def test_delete_a_factor_and_a_stale_delete(signed_in, postmortem):
    factor = ContributingFactorFactory(postmortem=postmortem, version=2)
    stale = signed_in.post(url(postmortem, "factor-delete", factor.pk), {"version": 1})
    assert stale.status_code == 409
    assertContains(stale, "Delete it anyway", status_code=409)
    assert ContributingFactor.objects.filter(pk=factor.pk).exists()
    done = signed_in.post(url(postmortem, "factor-delete", factor.pk), {"version": 2})
    assert done.status_code == 200
    assert not ContributingFactor.objects.filter(pk=factor.pk).exists()
    assert Revision.objects.filter(target=f"factor:{factor.pk}", summary="Deleted factor").exists()


def test_the_whys_chain(signed_in, postmortem):
    add = url(postmortem, "why-add")
    signed_in.post(add, {"question": "Why did checkout fail?", "answer": "Pool exhausted."})
    signed_in.post(add, {"question": "Why was the pool exhausted?", "answer": ""})
    first, second = postmortem.whys.all()
    assert (first.position, second.position) == (0, 1)

    signed_in.post(
        url(postmortem, "why-edit", second.pk),
        {"question": "Why was the pool exhausted?", "answer": "Size 20.", "version": 1},
    )
    second.refresh_from_db()
    assert second.answer == "Size 20."

    signed_in.post(url(postmortem, "why-move", second.pk), {"offset": -1})
    assert [w.pk for w in postmortem.whys.all()] == [second.pk, first.pk]

    response = signed_in.post(url(postmortem, "why-delete", first.pk), {"version": 1})
    assertContains(response, "Why was the pool exhausted?")
    assert list(postmortem.whys.all()) == [second]


def test_an_empty_question_is_refused_with_the_answer_kept(signed_in, postmortem):
    why = WhyFactory(postmortem=postmortem)
    response = signed_in.post(
        url(postmortem, "why-edit", why.pk), {"question": "", "answer": "Kept.", "version": 1}
    )
    assert response.status_code == 422
    assertContains(response, "Kept.</textarea>", status_code=422)
    assertContains(response, "This field is required.", status_code=422)
    assert Why.objects.get(pk=why.pk).question == why.question


def test_rows_of_another_postmortem_are_404(signed_in, postmortem):
    other = ContributingFactorFactory()
    response = signed_in.post(url(postmortem, "factor-move", other.pk), {"offset": 1})
    assert response.status_code == 404
