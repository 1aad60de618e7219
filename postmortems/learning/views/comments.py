"""The comments panel of an incident (shown on its incident and postmortem
pages): threads on the incident or one of its parts, replies, resolve and
reopen. Every answer is the panel, re-rendered; other open pages re-fetch it
on the incident's "comments" event."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from actions.models import ActionItem
from incidents.models import Incident, TimelineEvent
from postmortems.http import HtmxHttpRequest
from postmortems.learning.forms import CommentForm, ReplyForm, ResolveForm
from postmortems.learning.models import Comment
from postmortems.learning.services import comment_add, comment_resolve
from postmortems.models import ContributingFactor, Postmortem, Section

PANEL = "learning/_comments.html"
THREADS_PER_PAGE = 20


def incident_for(request: HtmxHttpRequest, ref: str) -> Incident:
    return get_object_or_404(
        Incident.objects.visible_to(request.user).select_related("postmortem"), ref=ref
    )


def comment_targets(incident: Incident) -> dict[str, tuple[str, object]]:
    """What a thread can be about: "<field>:<pk>" -> (label, row), in page order."""
    postmortem: Postmortem | None = getattr(incident, "postmortem", None)
    targets: dict[str, tuple[str, object]] = {}
    if postmortem is not None:
        for section in Section.objects.filter(postmortem=postmortem):
            targets[f"section:{section.pk}"] = (f"Section: {section.title}", section)
        factors = ContributingFactor.objects.filter(postmortem=postmortem)
        for number, factor in enumerate(factors, start=1):
            label = f"Factor {number}: {factor.description[:60]}"
            targets[f"factor:{factor.pk}"] = (label, factor)
    for event in TimelineEvent.objects.filter(incident=incident):
        label = f"Timeline {event.occurred_at:%Y-%m-%d %H:%M}: {event.text[:60]}"
        targets[f"event:{event.pk}"] = (label, event)
    if postmortem is not None:
        for action in ActionItem.objects.filter(postmortem=postmortem):
            targets[f"action:{action.pk}"] = (f"{action.ref}: {action.title[:60]}", action)
    return targets


def _panel(
    request: HtmxHttpRequest,
    incident: Incident,
    *,
    status: int = 200,
    form: CommentForm | None = None,
    targets: dict | None = None,
    **extra,
) -> HttpResponse:
    targets = targets if targets is not None else comment_targets(incident)
    labels = {key: label for key, (label, _) in targets.items()}
    threads = (
        Comment.objects.filter(incident=incident)
        .threads()
        .select_related("author", "resolved_by")
        .order_by("resolved_at", "-created_at", "-pk")
    )
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    replies: dict[int, list[Comment]] = {}
    for reply in Comment.objects.filter(parent__in=list(page)).select_related("author"):
        replies.setdefault(reply.parent_id, []).append(reply)
    for thread in page:
        thread.thread_replies = replies.get(thread.pk, [])
        key = next(
            (
                f"{name}:{getattr(thread, f'{name}_id')}"
                for name in ("section", "factor", "event", "action")
                if getattr(thread, f"{name}_id")
            ),
            "",
        )
        thread.about = labels.get(key, "The incident as a whole")
    context = {
        "incident": incident,
        "page": page,
        "form": form or CommentForm(targets=targets, auto_id="id_comment_%s"),
        **extra,
    }
    return render(request, PANEL, context, status=status)


def _done(request: HtmxHttpRequest, incident: Incident, **extra) -> HttpResponse:
    if request.htmx:
        return _panel(request, incident, **extra)
    return redirect(f"{incident.get_absolute_url()}#comments")


@require_http_methods(["GET", "POST"])
def comments(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """GET: the panel. POST: start a thread; bad input keeps what was typed (422)."""
    incident = incident_for(request, ref)
    if request.method == "GET":
        return _panel(request, incident)
    targets = comment_targets(incident)
    form = CommentForm(request.POST, targets=targets, auto_id="id_comment_%s")
    if not form.is_valid():
        return _panel(request, incident, status=422, form=form, targets=targets)
    comment_add(
        incident=incident, by=request.user, body=form.cleaned_data["body"], target=form.target()
    )
    return _done(request, incident, added=True)


def _thread(incident: Incident, pk: int) -> Comment:
    return get_object_or_404(Comment.objects.filter(incident=incident).threads(), pk=pk)


@require_POST
def comment_reply(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    incident = incident_for(request, ref)
    thread = _thread(incident, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        replying = {"pk": thread.pk, "body": request.POST.get("body", ""), "errors": form.errors}
        return _panel(request, incident, status=422, replying=replying)
    comment_add(incident=incident, by=request.user, body=form.cleaned_data["body"], parent=thread)
    return _done(request, incident, focus_thread=thread.pk)


@require_POST
def comment_resolve_view(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    incident = incident_for(request, ref)
    thread = _thread(incident, pk)
    form = ResolveForm(request.POST)
    form.is_valid()
    comment_resolve(comment=thread, by=request.user, resolved=form.cleaned_data["resolved"])
    return _done(request, incident, focus_thread=thread.pk)
