"""Signing in and out, and the frame every signed-in page shares."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from tests.factories import PostmortemFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # what UserFactory sets
LOGIN = reverse("login")


@pytest.mark.parametrize(
    "name", ["home", "incidents:list", "postmortems:list", "actions:list", "admin:index"]
)
def test_every_page_needs_a_login(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    login = reverse("admin:login") if name.startswith("admin") else LOGIN
    assert response["Location"] == f"{login}?next={url}"


def test_login_page_has_labelled_fields_and_keeps_next(client):
    response = client.get(LOGIN, {"next": "/actions/"})
    assert response.status_code == 200
    assertContains(response, '<label for="id_username">Username</label>', html=True)
    assertContains(response, '<label for="id_password">Password</label>', html=True)
    assertContains(response, 'autocomplete="current-password"')
    assertContains(response, 'name="csrfmiddlewaretoken"')
    assertContains(response, '<input type="hidden" name="next" value="/actions/">', html=True)
    assertContains(response, "Sign in to continue.")
    assertNotContains(response, "Sign out")  # no navigation for anonymous visitors


def test_signing_in_lands_on_the_incident_list(client):
    UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    response = client.post(LOGIN, {"username": "ada", "password": PASSWORD}, follow=True)
    assertRedirects(response, reverse("incidents:list"))
    assertContains(response, "<h1>Incidents</h1>", html=True)
    assertContains(response, "Ada Lovelace")


def test_signing_in_honours_next(client):
    UserFactory(username="ada")
    response = client.post(LOGIN, {"username": "ada", "password": PASSWORD, "next": "/actions/"})
    assertRedirects(response, reverse("actions:list"), fetch_redirect_response=False)


def test_next_pointing_off_site_is_ignored(client):
    UserFactory(username="ada")
    response = client.post(
        LOGIN, {"username": "ada", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assertRedirects(response, reverse("incidents:list"), fetch_redirect_response=False)


def test_wrong_password_shows_an_error_and_keeps_the_username(client):
    UserFactory(username="ada")
    response = client.post(LOGIN, {"username": "ada", "password": "wrong"})
    assert response.status_code == 200
    assertContains(response, "Please enter a correct username and password.")
    assertContains(response, 'role="alert"')
    assertContains(response, 'value="ada"')
    assert SESSION_KEY not in client.session


def test_sign_out_is_a_post(client, user):
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assertRedirects(response, LOGIN, fetch_redirect_response=False)
    assert SESSION_KEY not in client.session


# The frame of every signed-in page


@pytest.fixture
def signed_in(client):
    client.force_login(UserFactory(username="grace", first_name="Grace", last_name="Hopper"))
    return client


def test_frame_has_navigation_user_and_sign_out(signed_in):
    response = signed_in.get(reverse("postmortems:list"))
    assertContains(response, '<html lang="en">')
    assertContains(response, '<a class="skip-link" href="#main">Skip to content</a>', html=True)
    assertContains(response, '<main id="main"')
    for name in ("incidents:list", "postmortems:list", "actions:list"):
        assertContains(response, f'href="{reverse(name)}"')
    assertContains(response, f'<a href="{reverse("postmortems:list")}" aria-current="page">')
    assertContains(response, "Grace Hopper")
    assertContains(response, f'<form method="post" action="{reverse("logout")}">')
    assertContains(response, "<title>All postmortems · Postmortems</title>", html=True)


def test_htmx_and_its_sse_extension_come_from_the_app_with_the_csp_nonce(signed_in):
    response = signed_in.get(reverse("incidents:list"))
    content = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])[1]
    for script in ("django_htmx/htmx-2.min.js", "django_htmx/ext/hx-sse-2.min.js"):
        assert f'<script src="/static/{script}" defer nonce="{nonce}"></script>' in content
    assert '<script src="/static/js/app.js" defer></script>' in content


def test_pages_have_no_inline_styles_or_scripts(signed_in, client):
    """The CSP allows only our stylesheet and our (or nonced) script files."""
    postmortem = PostmortemFactory()
    pages = [
        reverse("incidents:list"),
        reverse("incidents:detail", args=[postmortem.incident.ref]),
        reverse("postmortems:list"),
        reverse("postmortems:detail", args=[postmortem.incident.ref]),
        reverse("actions:list"),
    ]
    for url in pages:
        content = signed_in.get(url).content.decode()
        assert " style=" not in content, url
        assert "<style" not in content, url
        assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", content)), url
    client.logout()
    assert " style=" not in client.get(LOGIN).content.decode()
