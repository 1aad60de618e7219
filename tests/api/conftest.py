import pytest

from postmortems.api.auth import api_token_create
from tests.factories import UserFactory


class Api:
    """The Django test client speaking JSON with a bearer token."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def _send(self, method: str, path: str, data: dict):
        return getattr(self.client, method)(
            f"/api/v1{path}", data, content_type="application/json", headers=self.headers
        )

    def post(self, path: str, data: dict | None = None):
        return self._send("post", path, data or {})

    def put(self, path: str, data: dict):
        return self._send("put", path, data)

    def patch(self, path: str, data: dict):
        return self._send("patch", path, data)


@pytest.fixture
def api_user(db):
    return UserFactory(username="api-responder")


@pytest.fixture
def api(client, api_user):
    _, raw = api_token_create(user=api_user, name="tests")
    return Api(client, raw)


@pytest.fixture
def outsider_api(client, db):
    _, raw = api_token_create(user=UserFactory(username="api-outsider"), name="tests")
    return Api(client, raw)
