"""The authorization matrix: every URL of the app (pages, fragments, the live
stream, exports, downloads) x {anonymous, outsider, responder, manager,
superuser} x {normal, restricted incident}, each method it takes.

The expected answer of a cell:
- anonymous: the sign-in page (302 to the login URL; every URL, before the
  view runs);
- a share link (learning:shared): the token is the credential, so everyone
  gets the page; an insights chart: every signed-in user;
- actions:snooze: only the action's owner (the responder here); 404 to others;
- outsider and manager (staff, not a responder: staff gives no extra sight)
  on a restricted incident: 404, and the incident's title nowhere;
- everyone signed in on a normal incident, and the responder and the
  superuser on a restricted one: access (the view's own answer: 200, a 204
  from the stream under the WSGI test client, a redirect after a POST, 403
  for a role the action needs, 4xx for the empty form), never 404.
A method the view never takes answers 405 in every cell alike.

Each cell runs in a savepoint that is rolled back, so a POST that deletes a
row leaves it for the next cell.
"""

import pytest
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.forms import modelform_factory
from django.shortcuts import resolve_url
from django.test import Client, RequestFactory
from django.urls import reverse

from incidents.models import Incident
from tests.security.world import ROLES, TITLE, url_for
from tests.test_outsider_walk import ROUTES

pytestmark = pytest.mark.django_db


def expected(name: str, params: list[str], role: str, restricted: bool) -> str:
    if name == "learning:shared":
        # A share link's token is the credential: it needs no account.
        return "access"
    if role == "anonymous":
        return "sign-in"
    if "ref" not in params and name != "actions:snooze":
        return "access"  # not about one incident (an insights chart)
    if name == "actions:snooze":
        # Only an action's owner snoozes it; to anyone else it does not exist.
        return "access" if role == "responder" else "hidden"
    if restricted and role in {"outsider", "manager"}:
        return "hidden"
    return "access"


def answer(response) -> str:
    status = response.status_code
    if status == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL)):
        return "sign-in"
    if status == 404:
        return "hidden"
    assert status in {200, 204, 302, 400, 403, 409, 422}, status
    return "access"


def cell(client: Client, method: str, url: str):
    with transaction.atomic():
        response = getattr(client, method)(url, headers={"HX-Request": "true"})
        transaction.set_rollback(True)
    return response


INCIDENT_ROUTES = [(name, params) for name, params in ROUTES if "ref" in params]
ROW_ROUTES = [(name, params) for name, params in ROUTES if params and "ref" not in params]


@pytest.mark.parametrize(
    ("name", "params"),
    INCIDENT_ROUTES + ROW_ROUTES,
    ids=[n for n, _ in INCIDENT_ROUTES + ROW_ROUTES],
)
def test_every_cell_of_the_matrix(world, name, params):
    users, incidents = world
    wrong = []
    for method in ("get", "post"):
        for restricted, ids in incidents.items():
            url = url_for(name, params, ids)
            for role in ROLES:
                client = Client()
                if users[role]:
                    client.force_login(users[role])
                response = cell(client, method, url)
                if response.status_code == 405:
                    # The view never takes this method: the same for a ref that does not exist.
                    missing = url_for(name, params, ids, ref="INC-1999-01-01-1")
                    assert cell(client, method, missing).status_code == 405
                    continue
                got = answer(response)
                if got != expected(name, params, role, restricted):
                    wrong.append((method, role, restricted, response.status_code))
                if got != "access":
                    assert TITLE[True].encode() not in response.content
    assert not wrong, f"{name}: (method, role, restricted, status) {wrong}"


LIST_ROUTES = [name for name, params in ROUTES if not params]


@pytest.mark.parametrize("name", LIST_ROUTES)
@pytest.mark.parametrize("role", ROLES)
def test_lists_show_a_restricted_incident_only_to_its_people(client, world, name, role):
    users, incidents = world
    if users[role]:
        client.force_login(users[role])
    response = client.get(reverse(name))
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code in {200, 405}
    sees = (
        TITLE[True].encode() in response.content
        or incidents[True]["ref"].encode() in response.content
    )
    if name in {"incidents:list", "postmortems:list"}:
        assert sees == (role in {"responder", "superuser"})
    else:
        assert not sees or role in {"responder", "superuser"}


def test_a_removed_responder_loses_access_at_once(
    client, world, published, django_capture_on_commit_callbacks
):
    users, incidents = world
    responder = users["responder"]
    incident = Incident.objects.get(ref=incidents[True]["ref"])
    client.force_login(responder)
    page = reverse("postmortems:detail", args=[incident.ref])
    assert client.get(page).status_code == 200

    # Responders are named in the admin: the superuser takes this one off.
    model_admin = admin.site._registry[Incident]
    request = RequestFactory().post("/admin/")
    request.user = users["superuser"]
    form = modelform_factory(Incident, fields=["responders"])(
        data={"responders": []}, instance=incident
    )
    assert form.is_valid()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        form.save(commit=False).save()
        model_admin.save_related(request, form, [], change=True)

    assert client.get(page).status_code == 404
    assert client.get(reverse("incidents:detail", args=[incident.ref])).status_code == 404
    # Open streams re-check access on this event and end (tests/incidents/test_live.py).
    assert [(e.incident, e.kind) for e in published] == [(incident.pk, "access")]
