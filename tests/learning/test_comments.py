"""Comments: threads on parts of an incident, @mentions notifying once,
resolve/reopen, live events, and the visibility rule."""

import pytest
from django.core import mail
from django.urls import reverse

from postmortems.learning.models import Comment, Notification
from postmortems.learning.services import comment_add, mentioned_usernames
from tests.factories import (
    ContributingFactorFactory,
    IncidentFactory,
    PostmortemFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def postmortem():
    return PostmortemFactory()


def test_mentions_are_parsed_without_trailing_punctuation():
    assert mentioned_usernames("ping @ana.silva. and @bo, not a@b.c") == {"ana.silva", "bo"}


def test_a_comment_on_a_factor_notifies_each_mentioned_person_once(
    client, postmortem, published, django_capture_on_commit_callbacks
):
    author, ana = UserFactory(username="author"), UserFactory(username="ana")
    factor = ContributingFactorFactory(postmortem=postmortem)
    client.force_login(author)
    url = reverse("learning:comments", args=[postmortem.incident.ref])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"about": f"factor:{factor.pk}", "body": "@ana see this, @ana again"}, **HTMX
        )
    assert response.status_code == 200
    comment = Comment.objects.get()
    assert comment.factor == factor
    assert Notification.objects.filter(recipient=ana).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.com"]
    assert [(e.incident, e.target) for e in published] == [(postmortem.incident_id, "comments")]
    assert b"@ana see this" in response.content


def test_no_notification_for_the_author_or_someone_who_cannot_see_the_incident():
    author, _outsider = UserFactory(username="author"), UserFactory(username="out")
    incident = IncidentFactory(restricted=True, responders=[author])
    comment_add(incident=incident, by=author, body="@author @out have a look")
    assert not Notification.objects.exists()


def test_a_reply_joins_the_thread_and_resolve_and_reopen(client, postmortem, published):
    user = UserFactory()
    thread = comment_add(incident=postmortem.incident, by=user, body="Is this right?")
    client.force_login(user)
    ref = postmortem.incident.ref
    client.post(reverse("learning:comment-reply", args=[ref, thread.pk]), {"body": "Yes"}, **HTMX)
    assert thread.replies.get().body == "Yes"
    client.post(
        reverse("learning:comment-resolve", args=[ref, thread.pk]), {"resolved": "1"}, **HTMX
    )
    thread.refresh_from_db()
    assert thread.resolved_at
    assert thread.resolved_by == user
    client.post(reverse("learning:comment-resolve", args=[ref, thread.pk]), {}, **HTMX)
    thread.refresh_from_db()
    assert thread.resolved_at is None


def test_an_empty_comment_keeps_what_was_chosen_and_answers_422(client, postmortem):
    client.force_login(UserFactory())
    factor = ContributingFactorFactory(postmortem=postmortem)
    response = client.post(
        reverse("learning:comments", args=[postmortem.incident.ref]),
        {"about": f"factor:{factor.pk}", "body": "   "},
        **HTMX,
    )
    assert response.status_code == 422
    assert f'value="factor:{factor.pk}" selected'.encode() in response.content
    assert not Comment.objects.exists()


def test_a_part_of_another_incident_cannot_be_the_target(client, postmortem):
    client.force_login(UserFactory())
    other = ContributingFactorFactory()
    response = client.post(
        reverse("learning:comments", args=[postmortem.incident.ref]),
        {"about": f"factor:{other.pk}", "body": "sneaky"},
        **HTMX,
    )
    assert response.status_code == 422
    assert not Comment.objects.exists()


def test_comments_of_a_restricted_incident_are_404_for_an_outsider(client):
    responder = UserFactory()
    incident = IncidentFactory(restricted=True, responders=[responder])
    comment_add(incident=incident, by=responder, body="secret remark")
    client.force_login(UserFactory(username="outsider"))
    url = reverse("learning:comments", args=[incident.ref])
    assert client.get(url).status_code == 404
    assert client.post(url, {"body": "hi"}).status_code == 404
    client.force_login(responder)
    assert b"secret remark" in client.get(url).content


def test_mentions_of_a_restricted_incident_leave_the_list_when_access_ends(client):
    responder, ana = UserFactory(), UserFactory(username="ana")
    incident = IncidentFactory(restricted=True, responders=[responder, ana])
    comment_add(incident=incident, by=responder, body="@ana hidden detail")
    client.force_login(ana)
    assert b"hidden detail" in client.get(reverse("learning:notifications")).content
    assert b">1<" in client.get(reverse("learning:notification-count")).content
    incident.responders.remove(ana)
    assert b"hidden detail" not in client.get(reverse("learning:notifications")).content
    assert b">1<" not in client.get(reverse("learning:notification-count")).content


def test_the_panel_reads_in_constant_queries(client, postmortem, django_assert_num_queries):
    user = UserFactory()
    client.force_login(user)
    url = reverse("learning:comments", args=[postmortem.incident.ref])
    for n in range(3):
        thread = comment_add(incident=postmortem.incident, by=user, body=f"thread {n}")
        comment_add(incident=postmortem.incident, by=user, body="reply", parent=thread)
    # session, user, incident, 4 kinds of target, count, threads, replies
    with django_assert_num_queries(10):
        client.get(url, **HTMX)
    for n in range(5):
        comment_add(incident=postmortem.incident, by=UserFactory(), body=f"more {n}")
    with django_assert_num_queries(10):
        response = client.get(url, **HTMX)
    assert b'hx-trigger="sse:comments"' in response.content


def test_the_notifications_list_reads_in_constant_queries(client, django_assert_num_queries):
    ana = UserFactory(username="ana")
    client.force_login(ana)
    for _ in range(3):
        comment_add(incident=PostmortemFactory().incident, by=UserFactory(), body="@ana look")
    with django_assert_num_queries(4):  # session, user, count, page
        response = client.get(reverse("learning:notifications"))
    assert response.content.count(b"mentioned you") == 3
    client.post(reverse("learning:notifications-read"))
    assert not Notification.objects.unread().exists()
