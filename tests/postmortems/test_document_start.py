"""Starting a postmortem from an incident, and the log_root check."""

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertRedirects

from postmortems.kinds import TEMPLATES
from postmortems.models import Postmortem, Revision
from postmortems.paths import resolve_inside
from tests.factories import IncidentFactory, PostmortemFactory, TimelineEventFactory, UserFactory

pytestmark = pytest.mark.django_db


def start_url(incident) -> str:
    return reverse("postmortems:start", args=[incident.ref])


@pytest.fixture
def roots(settings, tmp_path) -> Path:
    root = tmp_path / "log-roots"
    root.mkdir()
    settings.EXPORT_LOG_ROOTS = [root]
    return root


@pytest.fixture
def hotfix(db):
    """A hotfix incident with a change id and deployment evidence."""
    incident = IncidentFactory(is_hotfix=True, change_id="CHG-20261101-login-fix")
    TimelineEventFactory(
        incident=incident, milestone="deployed", text="Deployed", source="deploy log 88"
    )
    return incident


# resolve_inside


def test_a_path_inside_a_root_resolves(tmp_path):
    assert resolve_inside(str(tmp_path / "CHG-1"), [tmp_path]) == (tmp_path / "CHG-1").resolve()
    assert resolve_inside("CHG-1/logs", [tmp_path]) == (tmp_path / "CHG-1" / "logs").resolve()


@pytest.mark.parametrize("path", ["", "   ", "/etc", "../outside", "CHG-1/../../outside"])
def test_a_path_outside_every_root_is_refused(tmp_path, path):
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(ValueError, match=r"Give a path|outside the allowed log roots"):
        resolve_inside(path, [root])


def test_dotdot_cannot_leave_the_root(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(ValueError, match="outside the allowed log roots"):
        resolve_inside(str(root / ".." / "root-sibling"), [root])


def test_a_symlink_pointing_outside_is_refused(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (root / "escape").symlink_to(outside)
    with pytest.raises(ValueError, match="outside the allowed log roots"):
        resolve_inside(str(root / "escape"), [root])
    with pytest.raises(ValueError, match="outside the allowed log roots"):
        resolve_inside(str(root / "escape" / "CHG-1"), [root])


def test_a_symlink_staying_inside_is_fine(tmp_path):
    root = tmp_path / "root"
    (root / "real").mkdir(parents=True)
    (root / "alias").symlink_to(root / "real")
    assert resolve_inside(str(root / "alias"), [root]) == (root / "real").resolve()


def test_any_of_several_roots(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    assert resolve_inside(str(second / "x"), [first, second]) == (second / "x").resolve()


# The start page


def test_the_start_page_offers_the_four_templates(client, user):
    incident = IncidentFactory()
    client.force_login(user)
    response = client.get(start_url(incident))
    for template in TEMPLATES.values():
        assertContains(response, escape(template.label))
    assertContains(response, f'<option value="{user.pk}" selected>', html=False)
    # Not a hotfix: the seed's not_applicable reason is shown beside the choice.
    assertContains(response, "not_applicable: is_hotfix: false")


def test_start_a_full_postmortem(client, user):
    incident = IncidentFactory()
    client.force_login(user)
    response = client.post(start_url(incident), {"kind": "full", "facilitator": user.pk})
    postmortem = Postmortem.objects.get(incident=incident)
    assertRedirects(response, postmortem.get_absolute_url())
    assert (postmortem.kind, postmortem.facilitator) == ("full", user)
    assert postmortem.sections.count() == len(TEMPLATES["full"].sections)
    assert Revision.objects.get(postmortem=postmortem).author == user


def test_htmx_start_redirects_the_client(client, user):
    incident = IncidentFactory()
    client.force_login(user)
    response = client.post(
        start_url(incident),
        {"kind": "pulse", "facilitator": user.pk},
        headers={"HX-Request": "true"},
    )
    assert response["HX-Redirect"] == reverse("postmortems:detail", args=[incident.ref])


def test_hotfix_is_not_applicable_to_a_non_hotfix_incident(client, user, roots):
    incident = IncidentFactory()
    client.force_login(user)
    response = client.post(
        start_url(incident),
        {"kind": "hotfix", "facilitator": user.pk, "log_root": str(roots / "x")},
    )
    assert response.status_code == 422
    assertContains(
        response,
        "not_applicable: is_hotfix: false — postmortem not required for non-hotfix changes",
        status_code=422,
    )
    assert not Postmortem.objects.exists()


def test_hotfix_without_deployment_evidence_is_blocked(client, user, roots):
    incident = IncidentFactory(is_hotfix=True, change_id="CHG-20261101-no-evidence")
    # A deployed milestone without a source record is no evidence.
    TimelineEventFactory(incident=incident, milestone="deployed", text="Deployed", source="")
    client.force_login(user)
    response = client.post(
        start_url(incident),
        {"kind": "hotfix", "facilitator": user.pk, "log_root": str(roots / "x")},
    )
    assert response.status_code == 422
    assertContains(
        response,
        "blocked: Missing deployment evidence / Cannot verify production deployment",
        status_code=422,
    )
    assertContains(response, "Provide deployment log or confirmation", status_code=422)
    assertContains(response, "deployment_evidence", status_code=422)
    assert not Postmortem.objects.exists()


@pytest.mark.parametrize("log_root", ["/etc", "../../escape", "CHG-1/../../../escape"])
def test_hotfix_log_root_outside_the_roots_is_refused(client, user, roots, hotfix, log_root):
    client.force_login(user)
    response = client.post(
        start_url(hotfix), {"kind": "hotfix", "facilitator": user.pk, "log_root": log_root}
    )
    assert response.status_code == 422
    assertContains(response, "is outside the allowed log roots", status_code=422)
    assertContains(response, f'value="{log_root}"', status_code=422)  # what was typed stays
    assert not Postmortem.objects.exists()


def test_hotfix_log_root_through_a_symlink_outside_is_refused(
    client, user, roots, hotfix, tmp_path
):
    (tmp_path / "elsewhere").mkdir()
    (roots / "link").symlink_to(tmp_path / "elsewhere")
    client.force_login(user)
    response = client.post(
        start_url(hotfix),
        {"kind": "hotfix", "facilitator": user.pk, "log_root": str(roots / "link" / "CHG")},
    )
    assert response.status_code == 422
    assert not Postmortem.objects.exists()


def test_hotfix_needs_a_log_root(client, user, roots, hotfix):
    client.force_login(user)
    response = client.post(start_url(hotfix), {"kind": "hotfix", "facilitator": user.pk})
    assertContains(response, "needs its change", status_code=422)


def test_hotfix_with_evidence_and_a_log_root_inside_starts(client, user, roots, hotfix):
    client.force_login(user)
    response = client.post(
        start_url(hotfix),
        {"kind": "hotfix", "facilitator": user.pk, "log_root": str(roots / hotfix.change_id)},
    )
    postmortem = Postmortem.objects.get(incident=hotfix)
    assertRedirects(response, postmortem.get_absolute_url())
    assert postmortem.log_root == str((roots / hotfix.change_id).resolve())


def test_an_incident_with_a_postmortem_links_to_it(client, user):
    postmortem = PostmortemFactory()
    client.force_login(user)
    response = client.get(start_url(postmortem.incident))
    assertContains(response, "already has a postmortem")
    assertContains(response, postmortem.get_absolute_url())
    client.post(start_url(postmortem.incident), {"kind": "full", "facilitator": user.pk})
    assert Postmortem.objects.count() == 1


def test_a_restricted_incident_is_404_for_outsiders(client, outsider):
    incident = IncidentFactory(restricted=True, responders=[UserFactory()])
    client.force_login(outsider)
    assert client.get(start_url(incident)).status_code == 404
    assert client.post(start_url(incident), {"kind": "full"}).status_code == 404


def test_the_list_links_incidents_without_a_postmortem(client, user):
    waiting = IncidentFactory(title="Waiting for its review")
    PostmortemFactory(incident=IncidentFactory(title="Has one"))
    client.force_login(user)
    response = client.get(reverse("postmortems:list"))
    assertContains(response, "Incidents without a postmortem")
    assertContains(response, start_url(waiting))
