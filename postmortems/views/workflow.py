"""The review's workflow (Draft → In review → Final → Closed) and sign-off."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from postmortems.checks.rules import CHECKS
from postmortems.forms import SignOffForm, WorkflowForm
from postmortems.http import HtmxHttpRequest
from postmortems.models import Postmortem
from postmortems.services import (
    check_override,
    check_override_withdraw,
    postmortem_transition,
    signoff_sign,
)
from postmortems.versioning import StaleVersion
from postmortems.views import postmortem_for
from postmortems.views.document import checks_context, with_due, workflow_context

TEMPLATE = "postmortems/detail.html"


def _workflow(request, postmortem: Postmortem, *, status: int = 200, **extra) -> HttpResponse:
    postmortem.resolved_at = postmortem.incident.milestone_times().get("resolved")
    with_due([postmortem], timezone.now())
    context = {
        "postmortem": postmortem,
        "incident": postmortem.incident,
        **workflow_context(postmortem),
        "oob": True,  # the header's state badges follow the move
        **extra,
    }
    return render(request, f"{TEMPLATE}#workflow", context, status=status)


@require_POST
def workflow_move(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    form = WorkflowForm(request.POST)
    if not form.is_valid():
        return _workflow(request, postmortem, status=422, error="Choose a step to move to.")
    try:
        postmortem = postmortem_transition(
            postmortem=postmortem,
            to=form.cleaned_data["to"],
            by=request.user,
            version=form.cleaned_data["version"],
        )
    except StaleVersion as stale:
        current = postmortem_for(request, ref)
        error = (
            f"Someone moved this review to {current.get_state_display()} first "
            f"(version {stale.current.version}); nothing was changed. Choose again."
        )
        return _workflow(request, current, status=409, error=error)
    except ValidationError as error:
        if error.error_list[0].code == "checks_failed":
            message = "Not Final yet: these checks fail. Fix them, or override one in Checks."
            return _workflow(
                request, postmortem, status=422, error=message, blocking=error.messages
            )
        return _workflow(request, postmortem, status=422, error=" ".join(error.messages))
    return _workflow(request, postmortem_for(request, ref), moved=True)


@require_POST
def signoff_update(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    signoff = get_object_or_404(postmortem.signoffs.select_related("user"), pk=pk)
    form = SignOffForm(request.POST)
    error = ""
    if not form.is_valid():
        error = "Choose to sign or to withdraw."
    elif not form.cleaned_data["signed"] and signoff.user_id not in (None, request.user.pk):
        error = "Only the person who signed can withdraw their sign-off."
    elif form.cleaned_data["signed"] and signoff.signed_at:
        error = f"{signoff.role} is signed already."
    else:
        signoff = signoff_sign(signoff=signoff, by=request.user, signed=form.cleaned_data["signed"])
    context = {"postmortem": postmortem, "incident": postmortem.incident, "signoff": signoff}
    context["signoff_error"] = error
    return render(request, f"{TEMPLATE}#signoff-row", context, status=422 if error else 200)


def _checks(request, postmortem: Postmortem, *, status: int = 200, **extra) -> HttpResponse:
    postmortem = postmortem_for(request, postmortem.incident.ref)  # fresh, prefetch-free
    context = {"postmortem": postmortem, "incident": postmortem.incident}
    context |= checks_context(request, postmortem) | extra
    return render(request, f"{TEMPLATE}#checks-panel", context, status=status)


def _check_name(name: str) -> str:
    if name not in {check.name for check in CHECKS}:
        raise Http404("No such check.")
    return name


@require_POST
def check_override_add(request: HtmxHttpRequest, ref: str, check_name: str) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    name = _check_name(check_name)
    reason = request.POST.get("reason", "")
    try:
        check_override(postmortem=postmortem, check_name=name, reason=reason, by=request.user)
    except ValidationError as error:
        return _checks(
            request,
            postmortem,
            status=422,
            check_error=" ".join(error.messages),
            override_check=name,
            override_reason=reason,
        )
    return _checks(request, postmortem)


@require_POST
def check_override_remove(request: HtmxHttpRequest, ref: str, check_name: str) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    if not (request.user.is_superuser or request.user.pk == postmortem.facilitator_id):
        return _checks(
            request, postmortem, status=403, check_error="Only the facilitator can withdraw it."
        )
    check_override_withdraw(
        postmortem=postmortem, check_name=_check_name(check_name), by=request.user
    )
    return _checks(request, postmortem)
