"""The signed-in person's notifications (@mentions), and the unread count the
navigation fetches after each page."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from postmortems.http import HtmxHttpRequest, wants_fragment
from postmortems.learning.models import Notification
from postmortems.learning.services import notifications_read

PAGE_SIZE = 25


@require_GET
def notification_list(request: HtmxHttpRequest) -> HttpResponse:
    notifications = (
        Notification.objects.for_user(request.user)
        .select_related("comment__incident__postmortem", "comment__author", "comment__parent")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "learning/notifications.html"
    if wants_fragment(request):
        template += "#results"
    return render(request, template, {"page": page})


@require_POST
def notifications_mark_read(request: HtmxHttpRequest) -> HttpResponse:
    notifications_read(user=request.user)
    return redirect("learning:notifications")


@require_GET
def notification_count(request: HtmxHttpRequest) -> HttpResponse:
    unread = Notification.objects.for_user(request.user).unread().count()
    return render(request, "learning/nav_count.html", {"unread": unread})
