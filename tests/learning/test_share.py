import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from postmortems.learning.models import ShareLink
from postmortems.learning.share import token_for
from tests.factories import IncidentFactory, PostmortemFactory, SectionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def final():
    maker = UserFactory(username="maker", first_name="Ana", last_name="Silva")
    incident = IncidentFactory(responders=[maker])
    postmortem = PostmortemFactory(
        incident=incident, state="final", finalized_at=timezone.now(), facilitator=maker
    )
    SectionFactory(
        postmortem=postmortem,
        key="summary",
        title="Summary",
        body="Ana Silva rolled back. Mail ops@example.com, password=hunter2hunter2",
    )
    SectionFactory(postmortem=postmortem, key="internal", title="Internal", body="Vendor blamed")
    return postmortem, maker


def _make(client, postmortem, maker, **data):
    client.force_login(maker)
    url = reverse("learning:shares", args=[postmortem.incident.ref])
    return client.post(url, {"parts": ["section:summary"], "days": 7, **data})


def test_the_shared_copy_is_redacted_and_needs_no_account(client, final):
    postmortem, maker = final
    assert _make(client, postmortem, maker).status_code == 302
    link = ShareLink.objects.get()
    client.logout()
    body = client.get(reverse("learning:shared", args=[token_for(link)])).content.decode()
    assert "[the facilitator] rolled back" in body
    assert "Ana Silva" not in body
    assert "ops@example.com" not in body
    assert "hunter2" not in body
    assert "REDACTED" in body
    assert "Vendor blamed" not in body  # not chosen: stays internal


def test_an_expired_or_revoked_link_is_gone_and_a_forged_one_404(client, final):
    postmortem, maker = final
    _make(client, postmortem, maker)
    link = ShareLink.objects.get()
    url = reverse("learning:shared", args=[token_for(link)])
    assert client.get(url).status_code == 200
    ShareLink.objects.filter(pk=link.pk).update(
        expires_at=timezone.now() - dt.timedelta(1), created_at=timezone.now() - dt.timedelta(2)
    )
    assert client.get(url).status_code == 410
    ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() + dt.timedelta(1))
    client.post(reverse("learning:share-revoke", args=[postmortem.incident.ref, link.pk]))
    client.logout()
    assert client.get(url).status_code == 410
    assert client.get(url.replace(token_for(link)[:5], "AAAAA")).status_code == 404


def test_only_a_final_postmortem_visible_to_the_maker_can_be_shared(client, final):
    draft = PostmortemFactory()
    maker = UserFactory()
    assert _make(client, draft, maker).status_code == 422
    restricted = PostmortemFactory(
        incident=IncidentFactory(restricted=True), state="final", finalized_at=timezone.now()
    )
    assert _make(client, restricted, maker).status_code == 404
    assert not ShareLink.objects.exists()
