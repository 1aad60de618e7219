"""The one visibility rule, applied to incidents, postmortems and action items alike."""

import pytest

from actions.models import ActionItem
from incidents.models import Incident
from postmortems.models import Postmortem
from tests.factories import ActionItemFactory, IncidentFactory, PostmortemFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def incidents():
    declarer, responder = UserFactory(username="declarer"), UserFactory(username="responder")
    open_incident = IncidentFactory(restricted=False)
    restricted = IncidentFactory(restricted=True, declared_by=declarer, responders=[responder])
    for incident in (open_incident, restricted):
        ActionItemFactory(postmortem=PostmortemFactory(incident=incident))
    return open_incident, restricted


@pytest.mark.parametrize(
    ("who", "sees_restricted"),
    [("declarer", True), ("responder", True), ("superuser", True), ("outsider", False)],
)
def test_restricted_incidents_only_reach_their_people(incidents, who, sees_restricted):
    open_incident, restricted = incidents
    if who == "superuser":
        viewer = UserFactory(username="root", is_superuser=True)
    elif who == "outsider":
        viewer = UserFactory(username="outsider")
    else:
        viewer = UserFactory(username=who)
    expected = {open_incident.pk, restricted.pk} if sees_restricted else {open_incident.pk}
    assert set(Incident.objects.visible_to(viewer).values_list("pk", flat=True)) == expected
    assert (
        set(Postmortem.objects.visible_to(viewer).values_list("incident_id", flat=True)) == expected
    )
    assert (
        set(ActionItem.objects.visible_to(viewer).values_list("postmortem__incident_id", flat=True))
        == expected
    )


def test_anonymous_sees_nothing(incidents):
    from django.contrib.auth.models import AnonymousUser

    assert not Incident.objects.visible_to(AnonymousUser()).exists()


def test_an_incident_with_many_responders_is_listed_once():
    viewer = UserFactory()
    IncidentFactory(restricted=False, responders=[viewer, UserFactory(), UserFactory()])
    assert Incident.objects.visible_to(viewer).count() == 1


def test_a_removed_responder_loses_access_at_once(incidents):
    _, restricted = incidents
    responder = restricted.responders.get()
    restricted.responders.remove(responder)
    assert not Incident.objects.visible_to(responder).filter(pk=restricted.pk).exists()
