"""Two incidents, one normal and one restricted, each with one row of every
kind a URL can name, and the five kinds of user the matrix asks about."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from postmortems.learning.insights import CHARTS
from postmortems.learning.models import Comment, ShareLink
from postmortems.learning.share import token_for
from postmortems.models import ExportRun
from tests.factories import (
    ActionItemFactory,
    AttachmentFactory,
    ChecklistItemFactory,
    ContributingFactorFactory,
    ExportRunFactory,
    ImpactFieldFactory,
    ImpactScopeFactory,
    IncidentFactory,
    PostmortemFactory,
    SectionFactory,
    SignOffFactory,
    TimelineEventFactory,
    UserFactory,
    WhyFactory,
)

ROLES = ["anonymous", "outsider", "responder", "manager", "superuser"]
TITLE = {False: "Checkout latency after the pool change", True: "Signing keys exposed in CI logs"}
# Which row a route's ``pk`` names, by the route's name.
PK_OF = {
    "incidents:timeline_": "event",
    "incidents:impact_": "scope",
    "incidents:checklist_": "checklist",
    "postmortems:section": "section",
    "postmortems:impact": "impact_field",
    "postmortems:factor-": "factor",
    "postmortems:why-": "why",
    "postmortems:action": "action",
    "postmortems:signoff": "signoff",
    "postmortems:related-": "related",
    "postmortems:export-": "export",
    "actions:snooze": "action",
    "learning:comment-": "comment",
    "learning:share-": "share",
}


def row_of(name: str) -> str:
    return next(row for prefix, row in PK_OF.items() if name.startswith(prefix))


def build_incident(*, restricted: bool, responder) -> dict:
    incident = IncidentFactory(
        restricted=restricted, title=TITLE[restricted], responders=[responder]
    )
    postmortem = PostmortemFactory(incident=incident, facilitator=responder)
    related = IncidentFactory(title="A related, visible incident")
    postmortem.related_incidents.add(related)
    share = ShareLink.objects.create(
        postmortem=postmortem,
        created_by=responder,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    return {
        "ref": incident.ref,
        "event": TimelineEventFactory(incident=incident).pk,
        "scope": ImpactScopeFactory(incident=incident).pk,
        "checklist": ChecklistItemFactory(incident=incident).pk,
        "section": SectionFactory(postmortem=postmortem).pk,
        "impact_field": ImpactFieldFactory(postmortem=postmortem).pk,
        "factor": ContributingFactorFactory(postmortem=postmortem).pk,
        "why": WhyFactory(postmortem=postmortem).pk,
        "action": ActionItemFactory(postmortem=postmortem, owner=responder).pk,
        "signoff": SignOffFactory(postmortem=postmortem, user=responder).pk,
        "related": related.pk,
        "export": ExportRunFactory(
            postmortem=postmortem, status=ExportRun.Status.COMPLETE, markdown="# Export\n"
        ).pk,
        "attachment": AttachmentFactory(postmortem=postmortem).pk,
        "comment": Comment.objects.create(incident=incident, body="Why 80%?", author=responder).pk,
        "share": share.pk,
        "token": token_for(share),
        "chart": next(iter(CHARTS)),
        "anchor": "factors",
        "check_name": "impact_check",
    }


def url_for(name: str, params: list[str], ids: dict, *, ref: str | None = None) -> str:
    kwargs = {}
    for param in params:
        if param == "ref":
            kwargs[param] = ref or ids["ref"]
        elif param == "pk":
            kwargs[param] = ids[row_of(name)]
        else:
            kwargs[param] = ids[param]
    return reverse(name, kwargs=kwargs)


def make_world() -> tuple[dict, dict]:
    """(users by role, the ids of each incident's rows by restricted)."""
    responder = UserFactory(username="responder")
    users = {
        "anonymous": None,
        "outsider": UserFactory(username="outsider"),
        "responder": responder,
        "manager": UserFactory(username="manager", is_staff=True),
        "superuser": UserFactory(username="root", is_staff=True, is_superuser=True),
    }
    incidents = {r: build_incident(restricted=r, responder=responder) for r in (False, True)}
    return users, incidents
