"""Headers and configuration in production (DEBUG off, as the suite runs):
the nonce-based CSP, HSTS, nosniff, no framing, secure HttpOnly cookies,
CSRF on every state change (htmx requests included), no state change on a
GET, and sign-in attempts limited per address. ``check --deploy`` being
clean is tests/test_settings.py's."""

import json
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.security.world import url_for
from tests.test_outsider_walk import ROUTES

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, world):
    client.force_login(world[0]["responder"])
    return client


def directives(header: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in header.split(";") if d.strip()}


def test_the_csp_allows_only_its_own_and_nonced_scripts(signed_in, world):
    response = signed_in.get(reverse("postmortems:detail", args=[world[1][False]["ref"]]))
    csp = directives(response["Content-Security-Policy"])
    assert "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp.get("style-src", [])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["default-src"] == ["'self'"]
    nonce = next(s for s in csp["script-src"] if s.startswith("'nonce-"))[7:-1]
    for tag in re.findall(rb"<script[^>]*>", response.content):
        # The app's own files, or inline with this response's nonce.
        assert re.search(rb'src="/static/', tag) or f'nonce="{nonce}"'.encode() in tag, tag


def test_htmx_is_configured_for_the_csp(signed_in):
    page = signed_in.get(reverse("incidents:list")).content.decode()
    config = json.loads(re.search(r"name=\"htmx-config\" content='([^']+)'", page)[1])
    # No eval (hx-on, js: values), no script tags run from swapped content,
    # no inline indicator styles.
    assert (config["allowEval"], config["allowScriptTags"], config["includeIndicatorStyles"]) == (
        False,
        False,
        False,
    )


def test_https_headers(client):
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_cookies_are_secure_and_the_session_is_http_only(client, user):
    user.set_password("correct horse")
    user.save()
    client.get(reverse("login"), secure=True)
    response = client.post(
        reverse("login"), {"username": user.username, "password": "correct horse"}, secure=True
    )
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert client.cookies[settings.CSRF_COOKIE_NAME]["secure"]


POST_ROUTES = [(n, p) for n, p in ROUTES if p]


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_every_state_change_needs_the_csrf_token(world, htmx):
    users, incidents = world
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["responder"])
    headers = {"HX-Request": "true"} if htmx else {}
    accepting = []
    for name, params in [*POST_ROUTES, *((n, []) for n, p in ROUTES if not p)]:
        url = url_for(name, params, incidents[True])
        status = client.post(url, {"body": "x", "version": 1}, headers=headers).status_code
        if status not in {403, 405}:
            accepting.append((name, status))
    assert accepting == []
    logout = client.post(reverse("logout"), headers=headers)
    assert logout.status_code == 403


def snapshot() -> dict:
    """Every row of the apps' tables, as they are."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for app in ("incidents", "postmortems", "actions")
        for model in apps.get_app_config(app).get_models()
    }


def test_no_get_changes_anything(world):
    users, incidents = world
    client = Client()
    client.force_login(users["superuser"])
    before = snapshot()
    changed = []
    for name, params in ROUTES:
        for ids in incidents.values():
            client.get(url_for(name, params, ids), headers={"HX-Request": "true"})
            if snapshot() != before:
                changed.append(name)
                before = snapshot()
    assert changed == []


def test_sign_in_attempts_are_limited_per_address(client, user):
    user.set_password("correct horse")
    user.save()
    url = reverse("login")
    wrong = {"username": user.username, "password": "guess"}
    for _ in range(10):
        assert client.post(url, wrong, REMOTE_ADDR="203.0.113.9").status_code == 200
    refused = client.post(url, wrong, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert b"Too many sign-in attempts from your address. Try again in" in refused.content
    # Over the limit even the right password waits: the guess learns nothing.
    right = {"username": user.username, "password": "correct horse"}
    assert client.post(url, right, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert client.post(url, right, REMOTE_ADDR="198.51.100.7").status_code == 302
