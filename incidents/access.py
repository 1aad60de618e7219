"""The one visibility rule for incidents and everything hanging off them.

A restricted incident (the protected security track) is visible only to its
named responders, whoever declared it, and superusers; every other incident
is visible to every signed-in user. Querysets of incidents, postmortems and
action items all build their filter from ``visibility_q`` with the path to
their incident, so the rule lives in exactly one place.
"""

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q


def visibility_q(user: AbstractBaseUser | AnonymousUser, incident_path: str = "") -> Q:
    prefix = f"{incident_path}__" if incident_path else ""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    # A subquery rather than a join on responders: a join would repeat an
    # incident once per responder.
    responder_of = (
        apps.get_model("incidents", "Incident")
        .responders.through.objects.filter(user_id=user.pk)
        .values("incident_id")
    )
    return (
        Q(**{f"{prefix}restricted": False})
        | Q(**{f"{prefix}declared_by_id": user.pk})
        | Q(**{f"{prefix}pk__in": responder_of})
    )


def people_who_may_see(incident):
    """The active people an incident is visible to, by name: everyone for a
    normal incident; for a restricted one its responders, whoever declared it
    and superusers. The pickers of roles and owners offer only them, so
    nobody is handed work on an incident they cannot open."""
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.filter(is_active=True)
    if incident.restricted:
        people = people.filter(
            Q(is_superuser=True)
            | Q(pk=incident.declared_by_id)
            | Q(pk__in=incident.responders.values("pk"))
        )
    return people.order_by("first_name", "last_name", "username")
