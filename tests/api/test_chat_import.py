import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

DAY = [
    {
        "type": "message",
        "user": "U1",
        "text": "Checkout 500s again",
        "ts": "1795000000.000100",
        "user_profile": {"real_name": "Dana Scully"},
    },
    {
        "type": "message",
        "subtype": "channel_join",
        "user": "U2",
        "text": "joined",
        "ts": "1795000001.0",
    },
    {"type": "message", "user": "U2", "text": "Rolling back 142", "ts": "1795000060.000200"},
]


@pytest.fixture
def incident(user):
    return IncidentFactory(declared_by=user)


def preview(client, incident, **data):
    return client.post(reverse("incidents:timeline_import", args=[incident.ref]), data)


def test_a_slack_zip_previews_then_imports_once(client, user, incident):
    client.force_login(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("channels.json", "[]")
        archive.writestr("inc-checkout/2026-11-18.json", json.dumps(DAY))
    upload = SimpleUploadedFile("export.zip", buffer.getvalue())
    response = preview(client, incident, export=upload)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [m.actor for _, m, _ in rows] == ["Dana Scully", "U2"]
    assert rows[0][1].source == "slack:inc-checkout/1795000000.000100"
    assert rows[0][1].occurred_at.isoformat() == "2026-11-18T11:06:40.000100+00:00"

    payload = response.context["payload"]
    url = reverse("incidents:timeline_import", args=[incident.ref])
    client.post(url, {"payload": payload, "pick": ["0", "1"]})
    client.post(url, {"payload": payload, "pick": ["0", "1"]})
    imported = incident.events.filter(source__startswith="slack:")
    assert imported.count() == 2
    assert imported.get(actor="Dana Scully").kind == "communication"
    again = preview(client, incident, export=SimpleUploadedFile("export.zip", buffer.getvalue()))
    assert [seen for _, _, seen in again.context["rows"]] == [True, True]


def test_only_picked_messages_are_imported(client, user, incident):
    client.force_login(user)
    upload = SimpleUploadedFile("2026-11-18.json", json.dumps(DAY).encode())
    response = preview(client, incident, export=upload, channel="ops")
    url = reverse("incidents:timeline_import", args=[incident.ref])
    client.post(url, {"payload": response.context["payload"], "pick": ["1"]})
    assert list(
        incident.events.filter(source__startswith="slack:").values_list("text", flat=True)
    ) == ["Rolling back 142"]


def test_pasted_lines_are_in_the_viewers_zone(client, user, incident):
    client.force_login(user)
    client.cookies["tz"] = "Europe/Berlin"
    lines = "14:05 dana: rolled back\n  still watching\n2026-11-18T15:00:00Z sam: recovered\nnoise"
    response = preview(client, incident, lines=lines, day="2026-11-18")
    messages = [m for _, m, _ in response.context["rows"]]
    assert [m.occurred_at.isoformat() for m in messages] == [
        "2026-11-18T13:05:00+00:00",
        "2026-11-18T15:00:00+00:00",
    ]
    assert messages[0].text == "rolled back\n  still watching\nnoise" or messages[
        0
    ].text.startswith("rolled back\n  still watching")


def test_a_tampered_preview_or_bad_file_imports_nothing(client, user, incident):
    client.force_login(user)
    url = reverse("incidents:timeline_import", args=[incident.ref])
    client.post(url, {"payload": "forged", "pick": ["0"]})
    bad = preview(client, incident, export=SimpleUploadedFile("x.json", b"{not json"))
    assert bad.status_code == 422
    assert not incident.events.filter(kind="communication").exists()


def test_an_outsider_gets_404(client, outsider, user):
    incident = IncidentFactory(restricted=True, declared_by=user)
    client.force_login(outsider)
    assert client.get(reverse("incidents:timeline_import", args=[incident.ref])).status_code == 404
