"""Who can be handed work on an incident: the role and owner pickers offer,
and accept, only people who may open it (on a restricted incident: its
responders, whoever declared it and superusers)."""

import pytest
from django.urls import reverse

from incidents.access import people_who_may_see
from tests.factories import IncidentFactory, PostmortemFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "declarer": UserFactory(username="declarer"),
        "responder": UserFactory(username="responder"),
        "outsider": UserFactory(username="outsider"),
        "admin": UserFactory(username="admin", is_superuser=True),
    }


def test_a_restricted_incident_offers_only_its_people(people):
    incident = IncidentFactory(
        restricted=True, declared_by=people["declarer"], responders=[people["responder"]]
    )
    offered = set(people_who_may_see(incident).values_list("username", flat=True))
    assert offered == {"declarer", "responder", "admin"}
    normal = IncidentFactory(declared_by=people["declarer"])
    assert "outsider" in set(people_who_may_see(normal).values_list("username", flat=True))


def test_an_outsider_cannot_be_given_a_role_on_a_restricted_incident(client, people):
    incident = IncidentFactory(
        restricted=True, declared_by=people["declarer"], responders=[people["responder"]]
    )
    client.force_login(people["responder"])
    panel = client.get(reverse("incidents:roles", args=[incident.ref])).content.decode()

    def name(key: str) -> str:
        return people[key].get_full_name() or people[key].get_username()

    assert f">{name('responder')}</option>" in panel
    assert name("outsider") not in panel
    response = client.post(
        reverse("incidents:role_assign", args=[incident.ref]),
        {"role-role": "commander", "role-user": people["outsider"].pk},
    )
    assert response.status_code == 422
    assert not incident.roles.exists()


def test_an_outsider_cannot_own_an_action_of_a_restricted_incident(client, people):
    incident = IncidentFactory(
        restricted=True, declared_by=people["declarer"], responders=[people["responder"]]
    )
    postmortem = PostmortemFactory(incident=incident)
    client.force_login(people["responder"])
    response = client.post(
        reverse("postmortems:action-add", args=[incident.ref]),
        {"title": "Rotate the leaked key", "category": "prevent", "owner": people["outsider"].pk,
         "priority": "P1", "status": "open"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "owner" in response.context["action_form"].errors
    assert not postmortem.actions.exists()
