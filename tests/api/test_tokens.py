import pytest
from django.urls import reverse

from postmortems.api.auth import PREFIX, digest
from postmortems.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_and_stored_hashed(client):
    user = UserFactory(username="scripter")
    client.force_login(user)
    response = client.post(reverse("account_tokens"), {"name": "alerting"})
    raw = response.context["new_token"]
    assert raw.startswith(PREFIX)
    assert raw.encode() in response.content
    token = ApiToken.objects.get(user=user)
    assert token.digest == digest(raw)
    assert raw not in {token.digest, token.prefix}
    assert raw.encode() not in client.get(reverse("account_tokens")).content

    client.logout()
    answer = client.get("/api/v1/incidents", headers={"Authorization": f"Bearer {raw}"})
    assert answer.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_or_wrong_token_is_401(client):
    user = UserFactory(username="scripter")
    client.force_login(user)
    raw = client.post(reverse("account_tokens"), {"name": "ci"}).context["new_token"]
    token = ApiToken.objects.get(user=user)
    client.post(reverse("account_token_revoke", args=[token.pk]))
    client.logout()
    for header in (f"Bearer {raw}", f"Bearer {PREFIX}nope", "", "Basic abc"):
        response = client.get("/api/v1/incidents", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.json() == {"detail": "Unauthorized"}


def test_someone_elses_token_cannot_be_revoked(client):
    client.force_login(UserFactory(username="owner"))
    client.post(reverse("account_tokens"), {"name": "mine"})
    token = ApiToken.objects.get()
    client.force_login(UserFactory(username="other"))
    assert client.post(reverse("account_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_requests_over_the_limit_get_429_with_retry_after(api, settings):
    settings.API_RATE_LIMIT = 3
    assert [api.get("/incidents").status_code for _ in range(3)] == [200] * 3
    response = api.get("/incidents")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60


def test_wrong_tokens_from_one_address_are_limited(client, monkeypatch):
    monkeypatch.setattr("postmortems.api.auth.FAILED_AUTH_LIMIT", 2)
    headers = {"Authorization": f"Bearer {PREFIX}guess"}
    codes = [client.get("/api/v1/incidents", headers=headers).status_code for _ in range(3)]
    assert codes == [401, 401, 429]
