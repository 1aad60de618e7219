"""Meeting mode: the review meeting on a projector, one agenda step at a time,
with a capture box for action items that stays in reach."""

from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

# Views sit above the apps: this one reads and captures action items.
from actions.forms import ActionCaptureForm
from actions.models import ActionItem
from actions.services import action_capture
from incidents.models import RoleAssignment
from postmortems import kinds
from postmortems.http import HtmxHttpRequest, wants_fragment
from postmortems.models import Postmortem
from postmortems.views import postmortem_for
from postmortems.views.document import impact_rows, incident_facts

# Narrative sections the "what went well / poorly" step shows, whichever the
# template calls them.
WENT_SECTIONS = ("went_well", "went_poorly", "could_improve", "what_worked", "what_failed")
IMPACT_SECTIONS = ("customer_impact", "business_impact")
CAPTURED_EVENT = "action-captured"


@dataclass(frozen=True)
class Step:
    key: str
    title: str


def agenda(template: kinds.Template) -> list[Step]:
    steps = [Step("timeline", "Timeline"), Step("impact", "Impact")]
    if template.has(kinds.Structured.FACTORS):
        steps.append(Step("factors", "Contributing factors"))
    if template.has(kinds.Structured.WHYS):
        steps.append(Step("whys", "5 whys"))
    if any(section.key in WENT_SECTIONS for section in template.sections):
        steps.append(Step("went", "What went well / poorly"))
    if template.has(kinds.Structured.ACTIONS):
        steps.append(Step("actions", "Actions"))
    return steps


def step_number(raw: str | None, count: int) -> int:
    try:
        number = int(raw or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), count)


def step_context(postmortem: Postmortem, template: kinds.Template, step: Step) -> dict:
    """Only what the shown step needs, each part in one query."""
    match step.key:
        case "timeline":
            return {"events": list(postmortem.incident.events.all())}
        case "impact":
            events = list(postmortem.incident.events.all())
            sections = postmortem.sections.filter(key__in=IMPACT_SECTIONS)
            groups = impact_rows(template, postmortem) if template.impact_fields else {}
            return {
                "facts": incident_facts(postmortem.incident, events),
                "impact_groups": list(groups.items()),
                "sections": list(sections),
            }
        case "factors":
            return {"factors": list(postmortem.factors.all())}
        case "whys":
            return {"whys": list(postmortem.whys.all())}
        case "went":
            return {"sections": list(postmortem.sections.filter(key__in=WENT_SECTIONS))}
        case "actions":
            return {"actions": list(postmortem.actions.select_related("owner"))}
    return {}


def attendees(postmortem: Postmortem) -> list[tuple[str, object]]:
    """The facilitator and the incident's current role holders: (role, user)."""
    people: list[tuple[str, object]] = []
    if postmortem.facilitator:
        people.append(("Facilitator", postmortem.facilitator))
    holders = RoleAssignment.objects.filter(
        incident=postmortem.incident, ended_at__isnull=True
    ).select_related("user")
    people += [(holder.get_role_display(), holder.user) for holder in holders]
    return people


@require_GET
@vary_on_headers("HX-Request")
def meeting(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    template = kinds.template_for(postmortem.kind)
    steps = agenda(template)
    number = step_number(request.GET.get("step"), len(steps))
    step = steps[number - 1]
    context = {
        "postmortem": postmortem,
        "incident": postmortem.incident,
        "template": template,
        "steps": steps,
        "step": step,
        "number": number,
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if number < len(steps) else None,
        **step_context(postmortem, template, step),
    }
    if wants_fragment(request):
        return render(request, "postmortems/meeting.html#step", context)
    form = ActionCaptureForm(incident=postmortem.incident)
    context |= {"attendees": attendees(postmortem), "form": form}
    return render(request, "postmortems/meeting.html", context)


@require_POST
def meeting_capture(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    form = ActionCaptureForm(
        request.POST, instance=ActionItem(postmortem=postmortem), incident=postmortem.incident
    )
    if not form.is_valid():
        context = {"postmortem": postmortem, "incident": postmortem.incident, "form": form}
        return render(request, "postmortems/meeting.html#capture", context, status=422)
    action = action_capture(postmortem=postmortem, by=request.user, **form.cleaned_data)
    if not request.htmx:
        # Without htmx, back to the page on its Actions step (the last).
        last = len(agenda(kinds.template_for(postmortem.kind)))
        return redirect(f"{reverse('postmortems:meeting', args=[ref])}?step={last}")
    context = {
        "postmortem": postmortem,
        "incident": postmortem.incident,
        "form": ActionCaptureForm(incident=postmortem.incident),
        "captured": action,
    }
    response = render(request, "postmortems/meeting.html#capture", context)
    return trigger_client_event(response, CAPTURED_EVENT)
