"""Supporting data: images stored by the app, and related incidents."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from postmortems.forms import sniff_image
from postmortems.models import Attachment
from tests.factories import IncidentFactory, PostmortemFactory, UserFactory

pytestmark = pytest.mark.django_db


def real_png() -> bytes:
    """A valid 2x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    pixels = zlib.compress(b"\x00\xff\x00\x00\x00\xff\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def restricted(user):
    return PostmortemFactory(incident=IncidentFactory(restricted=True, responders=[user]))


def upload(client, postmortem, name: str, data: bytes, content_type: str = "image/png"):
    return client.post(
        reverse("postmortems:attachment-add", args=[postmortem.incident.ref]),
        {"file": SimpleUploadedFile(name, data, content_type), "caption": "Error rate"},
        headers={"HX-Request": "true"},
    )


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0..JFIF", "image/jpeg"),
        (b"GIF89a....", "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"<svg xmlns=", None),
        (b"hello, world", None),
    ],
)
def test_sniffing_reads_the_first_bytes(head, expected):
    assert sniff_image(head) == expected


def test_a_real_png_is_stored_and_served_to_those_who_may_see_it(client, user, restricted):
    client.force_login(user)
    response = upload(client, restricted, "graph.PNG", real_png(), "application/octet-stream")
    assert response.status_code == 200
    attachment = Attachment.objects.get()
    # The type comes from the content, not from what the browser claimed.
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "graph.PNG"
    assert "graph" not in attachment.file.name  # stored under a random name
    url = reverse("postmortems:attachment", args=[restricted.incident.ref, attachment.pk])
    assertContains(response, f'src="{url}"')
    assertContains(response, "Error rate")

    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["Content-Disposition"].startswith("inline;")
    assert 'filename="graph.PNG"' in served["Content-Disposition"]
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == real_png()


def test_an_outsider_gets_404_for_the_file(client, outsider, restricted):
    attachment = Attachment.objects.create(
        postmortem=restricted, file="attachments/x.png", content_type="image/png"
    )
    client.force_login(outsider)
    url = reverse("postmortems:attachment", args=[restricted.incident.ref, attachment.pk])
    assert client.get(url).status_code == 404
    assert upload(client, restricted, "x.png", real_png()).status_code == 404


def test_a_file_of_another_postmortem_is_404(client, user):
    mine, theirs = PostmortemFactory(), PostmortemFactory()
    attachment = Attachment.objects.create(
        postmortem=theirs, file="attachments/x.png", content_type="image/png"
    )
    client.force_login(user)
    url = reverse("postmortems:attachment", args=[mine.incident.ref, attachment.pk])
    assert client.get(url).status_code == 404


def test_a_text_file_named_png_is_refused(client, user):
    postmortem = PostmortemFactory()
    client.force_login(user)
    response = upload(client, postmortem, "graph.png", b"just some text, not an image\n")
    assert response.status_code == 422
    assertContains(response, "not a PNG, JPEG, GIF or WebP image", status_code=422)
    assert not Attachment.objects.exists()


def test_an_image_over_5_mb_is_refused(client, user):
    postmortem = PostmortemFactory()
    client.force_login(user)
    big = real_png() + b"\x00" * (5 * 1024 * 1024)
    response = upload(client, postmortem, "big.png", big)
    assertContains(response, "larger than 5 MB", status_code=422)
    assert not Attachment.objects.exists()


# Related incidents


def test_link_and_unlink_a_related_incident(client, user):
    postmortem = PostmortemFactory()
    other = IncidentFactory(title="Earlier pool exhaustion")
    client.force_login(user)
    add = reverse("postmortems:related-add", args=[postmortem.incident.ref])
    response = client.post(add, {"ref": other.ref.lower()})
    assertContains(response, "Earlier pool exhaustion")
    assert list(postmortem.related_incidents.all()) == [other]
    remove = reverse("postmortems:related-delete", args=[postmortem.incident.ref, other.pk])
    response = client.post(remove)
    assertNotContains(response, "Earlier pool exhaustion")
    assert not postmortem.related_incidents.exists()


def test_only_refs_the_user_can_see_can_be_linked(client, user):
    postmortem = PostmortemFactory()
    hidden = IncidentFactory(restricted=True, title="Secret", responders=[UserFactory()])
    client.force_login(user)
    add = reverse("postmortems:related-add", args=[postmortem.incident.ref])
    hidden_answer = client.post(add, {"ref": hidden.ref})
    missing_answer = client.post(add, {"ref": "INC-1999-01-01-1"})
    assert hidden_answer.status_code == missing_answer.status_code == 422
    assertContains(hidden_answer, f"No incident {hidden.ref} that you can see.", status_code=422)
    assert not postmortem.related_incidents.exists()
    own = client.post(add, {"ref": postmortem.incident.ref})
    assertContains(own, "own incident", status_code=422)


def test_a_related_incident_the_viewer_cannot_see_is_not_shown(client, user, outsider):
    postmortem = PostmortemFactory()
    hidden = IncidentFactory(restricted=True, title="Secret track", responders=[user])
    postmortem.related_incidents.add(hidden)
    client.force_login(outsider)
    detail = reverse("postmortems:detail", args=[postmortem.incident.ref])
    assertNotContains(client.get(detail), "Secret track")
    client.force_login(user)
    assertContains(client.get(detail), "Secret track")
