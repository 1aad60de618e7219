"""The export panel on the postmortem page, its download, and the import screen."""

import pytest
from django.urls import reverse

from postmortems.models import ExportRun, Postmortem
from tests.factories import ExportRunFactory, PostmortemFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def hotfix(demo_postmortems) -> Postmortem:
    return demo_postmortems["hotfix"]


@pytest.fixture
def facilitator_client(client, hotfix):
    client.force_login(hotfix.facilitator)
    return client


def panel_url(postmortem: Postmortem) -> str:
    return reverse("postmortems:export", args=[postmortem.incident.ref])


def test_the_postmortem_page_loads_the_export_panel(facilitator_client, hotfix):
    response = facilitator_client.get(hotfix.get_absolute_url())

    assert response.status_code == 200
    assert f'hx-get="{panel_url(hotfix)}" hx-trigger="load"' in response.text


def test_a_final_postmortem_offers_the_export_button(
    facilitator_client, hotfix, django_assert_num_queries
):
    url = panel_url(hotfix)
    with django_assert_num_queries(4):  # session, user, postmortem, latest run
        response = facilitator_client.get(url, **HTMX)

    assert response.status_code == 200
    assert "Export to the repository" in response.text
    # Idle, the panel fetches nothing: an hx-get with no trigger fires on any
    # click inside it, and raced the Export button's own request.
    assert "every 1s" not in response.text
    assert "hx-get" not in response.text


def test_an_unfinished_postmortem_has_no_export_button(facilitator_client, hotfix):
    Postmortem.objects.filter(pk=hotfix.pk).update(state=Postmortem.State.IN_REVIEW)

    response = facilitator_client.get(panel_url(hotfix), **HTMX)

    assert "Export to the repository" not in response.text
    assert "once the review is Final" in response.text
    refused = facilitator_client.post(panel_url(hotfix), **HTMX)
    assert refused.status_code == 422
    assert not ExportRun.objects.exists()


def test_exporting_shows_the_artifacts_the_commit_and_a_download(
    facilitator_client, hotfix, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        started = facilitator_client.post(panel_url(hotfix), **HTMX)
    assert started.status_code == 200
    response = facilitator_client.get(panel_url(hotfix), **HTMX)  # the next poll

    run = ExportRun.objects.get()
    assert 'data-export-status="complete"' in response.text
    assert run.commit_sha[:12] in response.text
    assert "99-postmortem.md" in response.text
    assert "postmortem/postmortem.md" in response.text
    assert "&quot;status&quot;: &quot;complete&quot;" in response.text
    download = facilitator_client.get(
        reverse("postmortems:export-markdown", args=[hotfix.incident.ref, run.pk])
    )
    assert download.status_code == 200
    assert download["Content-Type"] == "text/markdown; charset=utf-8"
    assert 'filename="99-postmortem.md"' in download["Content-Disposition"]
    assert download.content.decode() == run.markdown


def test_a_queued_or_running_export_is_polled_every_second(facilitator_client, hotfix):
    ExportRunFactory(postmortem=hotfix, status=ExportRun.Status.RUNNING, progress="Committing")

    response = facilitator_client.get(panel_url(hotfix), **HTMX)

    assert 'hx-trigger="every 1s"' in response.text
    assert "Committing…" in response.text
    again = facilitator_client.post(panel_url(hotfix), **HTMX)
    assert again.status_code == 422
    assert "already under way" in again.text


def test_findings_are_listed_without_the_value_and_the_facilitator_may_redact(
    client, facilitator_client, hotfix, django_capture_on_commit_callbacks
):
    hotfix.sections.filter(key="lessons").update(body="Reach the on-call at +44 20 7946 0958.")
    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(panel_url(hotfix), **HTMX)
    response = facilitator_client.get(panel_url(hotfix), **HTMX)

    assert 'data-export-status="blocked"' in response.text
    assert "Phone number" in response.text
    assert "Lessons Learned" in response.text
    assert "7946" not in response.text
    assert "Export with these redacted" in response.text

    colleague = UserFactory()
    client.force_login(colleague)
    refused = client.post(panel_url(hotfix), {"redact": "1"}, **HTMX)
    assert refused.status_code == 422
    assert "Only the facilitator" in refused.text

    facilitator_client.force_login(hotfix.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        facilitator_client.post(panel_url(hotfix), {"redact": "1"}, **HTMX)
    run = ExportRun.objects.latest()
    assert run.status == ExportRun.Status.COMPLETE
    assert "Reach the on-call at [REDACTED:phone]." in run.markdown


def test_an_outsider_gets_404_for_a_restricted_incidents_export(client):
    responder = UserFactory()
    postmortem = PostmortemFactory(
        incident__restricted=True,
        incident__responders=[responder],
        state="final",
        finalized_at="2026-11-24T12:00:00Z",
    )
    run = ExportRunFactory(postmortem=postmortem, status="complete", markdown="# Secret")
    client.force_login(UserFactory())

    assert client.get(panel_url(postmortem)).status_code == 404
    download = reverse("postmortems:export-markdown", args=[postmortem.incident.ref, run.pk])
    assert client.get(download).status_code == 404
    client.force_login(responder)
    assert client.get(download).status_code == 200


def test_a_download_of_another_postmortems_run_is_404(facilitator_client, hotfix, demo_postmortems):
    other = ExportRunFactory(postmortem=demo_postmortems["full"], status="complete", markdown="x")

    url = reverse("postmortems:export-markdown", args=[hotfix.incident.ref, other.pk])

    assert facilitator_client.get(url).status_code == 404
