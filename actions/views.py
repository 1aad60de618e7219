from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from actions.models import ActionItem
from postmortems.http import HtmxHttpRequest, wants_fragment

PAGE_SIZE = 25


@require_GET
@vary_on_headers("HX-Request")
def action_list(request: HtmxHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    actions = (
        ActionItem.objects.visible_to(request.user)
        .select_related("postmortem__incident", "owner")
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )
    # The filter checkboxes send "1"; anything else (absent, "0") is off.
    overdue, mine = request.GET.get("overdue") == "1", request.GET.get("mine") == "1"
    if overdue:
        actions = actions.overdue(today)
    if mine:
        actions = actions.owned_by(request.user)
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    for action in page:
        action.overdue_days = action.days_overdue(today)
    template = "actions/list.html"
    if wants_fragment(request):
        template += "#results"
    return render(
        request,
        template,
        {"page": page, "overdue": overdue, "mine": mine, "filtered": bool(overdue or mine)},
    )
