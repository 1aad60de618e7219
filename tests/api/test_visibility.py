"""A restricted incident answers 404 through every API resource to a
non-responder, exactly as the pages do, and is in no list."""

import pytest

from postmortems.models import ExportRun
from tests.factories import (
    ActionItemFactory,
    IncidentFactory,
    PostmortemFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
SECRET = "Session tokens leaked to the CDN logs"


@pytest.fixture
def restricted(api_user):
    incident = IncidentFactory(
        restricted=True, title=SECRET, responders=[api_user], declared_by=UserFactory()
    )
    postmortem = PostmortemFactory(incident=incident)
    SectionFactory(postmortem=postmortem, key="summary")
    ActionItemFactory(postmortem=postmortem, number=1, title=SECRET)
    run = ExportRun.objects.create(postmortem=postmortem)
    return incident, run


def requests(ref: str, run: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", f"/incidents/{ref}", None),
        ("post", f"/incidents/{ref}/state", {"state": "mitigated"}),
        ("get", f"/incidents/{ref}/timeline", None),
        ("post", f"/incidents/{ref}/timeline", {"text": "seen"}),
        ("get", f"/postmortems/{ref}", None),
        ("post", f"/postmortems/{ref}", {"kind": "full"}),
        ("put", f"/postmortems/{ref}/sections/summary", {"body": "x", "version": 1}),
        ("post", f"/postmortems/{ref}/state", {"state": "in_review", "version": 1}),
        ("post", f"/postmortems/{ref}/actions", {"title": "t", "category": "detect"}),
        ("patch", f"/postmortems/{ref}/actions/1", {"version": 1, "title": "x"}),
        ("post", f"/postmortems/{ref}/exports", {}),
        ("get", f"/exports/{run}", None),
    ]


def test_every_resource_is_404_for_a_non_responder(outsider_api, restricted):
    incident, run = restricted
    for method, path, data in requests(incident.ref, run.pk):
        args = (path,) if data is None else (path, data)
        response = getattr(outsider_api, method)(*args)
        assert response.status_code == 404, (method, path)
        assert SECRET.encode() not in response.content


def test_lists_leave_it_out_for_a_non_responder(outsider_api, restricted):
    for path in ("/incidents", "/actions"):
        response = outsider_api.get(path)
        assert response.json()["count"] == 0
        assert SECRET.encode() not in response.content


def test_a_responder_reads_it(api, restricted):
    incident, run = restricted
    assert api.get(f"/incidents/{incident.ref}").json()["title"] == SECRET
    assert api.get(f"/postmortems/{incident.ref}").status_code == 200
    assert api.get(f"/exports/{run.pk}").json()["id"] == run.pk
    assert api.get("/actions").json()["count"] == 1
