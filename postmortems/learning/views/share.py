"""Share links: made and revoked by those who may see the postmortem; the
shared page itself needs no account and shows only the redacted copy."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from postmortems.http import HtmxHttpRequest
from postmortems.learning.forms import ShareForm
from postmortems.learning.models import ShareLink
from postmortems.learning.share import (
    SHAREABLE_STATES,
    link_for,
    part_choices,
    share_create,
    token_for,
)
from postmortems.views import postmortem_for


@require_http_methods(["GET", "POST"])
def share_links(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    choices = part_choices(postmortem)
    form = ShareForm(request.POST or None, parts=choices)
    shareable = postmortem.state in SHAREABLE_STATES
    status = 200
    if request.method == "POST":
        if shareable and form.is_valid():
            share_create(
                postmortem=postmortem,
                by=request.user,
                parts=form.cleaned_data["parts"],
                lifetime=form.lifetime,
            )
            return redirect("learning:shares", ref=ref)
        status = 422
    links = list(postmortem.shares.select_related("created_by", "revoked_by"))
    now = timezone.now()
    for link in links:
        link.token = token_for(link)
        link.live = link.is_live(now)
    context = {
        "postmortem": postmortem,
        "incident": postmortem.incident,
        "form": form,
        "links": links,
        "shareable": shareable,
    }
    return render(request, "learning/shares.html", context, status=status)


@require_POST
def share_revoke(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    postmortem = postmortem_for(request, ref)
    link = get_object_or_404(postmortem.shares.filter(revoked_at__isnull=True), pk=pk)
    link.revoke(by=request.user)
    return redirect("learning:shares", ref=ref)


@login_not_required
@require_GET
def shared_page(request: HtmxHttpRequest, token: str) -> HttpResponse:
    pk = link_for(token)
    if pk is None:
        raise Http404("No such link.")
    link = get_object_or_404(ShareLink.objects.select_related("postmortem__incident"), pk=pk)
    if not link.is_live(timezone.now()):
        return render(request, "learning/shared_gone.html", {"link": link}, status=410)
    response = render(request, "learning/shared.html", {"link": link})
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
