import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from postmortems.learning.recurrence import similar_factors
from tests.factories import (
    ActionItemFactory,
    ContributingFactorFactory,
    IncidentFactory,
    PostmortemFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _earlier(description: str, **incident):
    created = timezone.now() - dt.timedelta(days=30)
    postmortem = PostmortemFactory(incident=IncidentFactory(created_at=created, **incident))
    return ContributingFactorFactory(postmortem=postmortem, description=description)


def test_a_new_factor_shows_earlier_similar_ones_and_their_open_actions(client):
    earlier = _earlier("The deploy skipped the canary stage for config changes")
    action = ActionItemFactory(postmortem=earlier.postmortem, factor=earlier, status="open")
    _earlier("Unrelated: the on-call rota had a gap over the holidays")
    hidden = _earlier("The deploy skipped the canary stage for config changes!", restricted=True)
    postmortem = PostmortemFactory()
    client.force_login(UserFactory())
    response = client.post(
        reverse("postmortems:factor-add", args=[postmortem.incident.ref]),
        {
            "layer": "rollout_control_gap",
            "status": "candidate",
            "description": "Deploy skipped the canary stage for a config change",
        },
        **HTMX,
    )
    body = response.content.decode()
    assert "This came up before" in body
    assert earlier.postmortem.incident.ref in body
    assert f"{action.ref} is still open" in body
    assert hidden.postmortem.incident.ref not in body
    assert "on-call rota" not in body


def test_similar_factors_ignore_the_same_postmortem_and_later_ones():
    postmortem = PostmortemFactory()
    factor = ContributingFactorFactory(postmortem=postmortem, description="Disk filled up")
    ContributingFactorFactory(postmortem=postmortem, description="Disk filled up")
    later = PostmortemFactory(incident=IncidentFactory(created_at=timezone.now() + dt.timedelta(1)))
    ContributingFactorFactory(postmortem=later, description="Disk filled up")
    assert similar_factors(UserFactory(), factor) == []
