"""Walk every URL of the app as an outsider: a restricted incident answers 404
everywhere and never shows up in a list or a count."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.factories import (
    ActionItemFactory,
    AttachmentFactory,
    IncidentFactory,
    PostmortemFactory,
    TimelineEventFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Session tokens leaked to the CDN logs"


def app_routes() -> list[tuple[str, list[str]]]:
    """(namespaced name, its URL parameters) of every route of our apps."""
    routes = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in {"incidents", "postmortems", "actions", "learning"}:
                    walk(pattern.url_patterns, pattern.namespace)
            elif isinstance(pattern, URLPattern) and namespace and pattern.name:
                params = list(pattern.pattern.converters) or re.findall(
                    r"<(?:\w+:)?(\w+)>", str(pattern.pattern)
                )
                routes.append((f"{namespace}:{pattern.name}", params))

    walk(get_resolver().url_patterns, "")
    return routes


ROUTES = app_routes()
INCIDENT_ROUTES = [(name, params) for name, params in ROUTES if "ref" in params]
LIST_ROUTES = [name for name, params in ROUTES if not params]


@pytest.fixture
def restricted(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the stored image the attachment route serves
    responder = UserFactory(username="responder")
    incident = IncidentFactory(restricted=True, title=SECRET_TITLE, responders=[responder])
    event = TimelineEventFactory(incident=incident)
    postmortem = PostmortemFactory(incident=incident)
    action = ActionItemFactory(postmortem=postmortem)
    attachment = AttachmentFactory(postmortem=postmortem)
    ids = {"pk": event.pk, "number": action.number, "action": action.pk}
    # A block of the document that exists: the outsider's 404 is then about access.
    named = {"attachment": attachment.pk, "anchor": "factors", "check_name": "impact_check"}
    return incident, responder, ids | named


def url_for(name: str, params: list[str], ref: str, ids: dict) -> str:
    kwargs = {p: (ref if p == "ref" else ids.get(p, ids["pk"])) for p in params}
    return reverse(name, kwargs=kwargs)


def test_the_walk_covers_the_incident_and_postmortem_pages():
    names = {name for name, _ in INCIDENT_ROUTES}
    assert {"incidents:detail", "postmortems:detail"} <= names


@pytest.mark.parametrize(("name", "params"), INCIDENT_ROUTES, ids=[n for n, _ in INCIDENT_ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_incident_url_is_404_for_an_outsider(client, restricted, name, params, method):
    incident, _, ids = restricted
    client.force_login(UserFactory(username="outsider"))
    url = url_for(name, params, incident.ref, ids)
    response = getattr(client, method)(url)
    if response.status_code == 405:
        # A method the view never accepts says nothing about the incident:
        # the same answer comes for a ref that does not exist.
        missing = url_for(name, params, "INC-1999-01-01-1", ids)
        assert getattr(client, method)(missing).status_code == 405
    else:
        assert response.status_code == 404, url
    assert SECRET_TITLE.encode() not in response.content


PAGE_ROUTES = [(n, p) for n, p in INCIDENT_ROUTES if p == ["ref"]]


# Routes that also take a row's pk are left out: the walk cannot tell which
# model's pk they take. Their outsider case above still holds.
@pytest.mark.parametrize(("name", "params"), PAGE_ROUTES, ids=[n for n, _ in PAGE_ROUTES])
def test_a_responder_reaches_every_incident_page(client, restricted, name, params):
    incident, responder, ids = restricted
    client.force_login(responder)
    response = client.get(url_for(name, params, incident.ref, ids))
    # 204: the live stream answers "no stream here" to the WSGI test client.
    assert response.status_code in {200, 204, 405}


@pytest.mark.parametrize("name", LIST_ROUTES)
def test_lists_and_counts_never_include_a_restricted_incident(client, restricted, name):
    incident, _, _ = restricted
    IncidentFactory(title="A visible incident")
    client.force_login(UserFactory(username="outsider"))
    response = client.get(reverse(name))
    assert response.status_code in {200, 405}
    assert incident.ref.encode() not in response.content
    assert SECRET_TITLE.encode() not in response.content
