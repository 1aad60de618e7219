import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from actions.dashboard import ALL, GROUPINGS, grouped, listed, narrowed
from actions.export import write_csv
from actions.forms import ActionFilterForm, SnoozeForm
from actions.models import OPEN, ActionItem, Bucket
from postmortems.http import HtmxHttpRequest, wants_fragment

PAGE_SIZE = 25
ALREADY_SNOOZED = "This action was snoozed once already; it cannot be snoozed again."

BUCKET_HELP = {
    OPEN: "Open and in progress, soonest due first",
    Bucket.OVERDUE: "Open, past the due date; most days overdue first",
    Bucket.DUE_SOON: "Open, due today or within 7 days",
    Bucket.STALE: "Open, unchanged for 14 days or more",
    Bucket.DONE_MONTH: "Verified done since the 1st of this month",
    ALL: "Every action, closed ones too",
}


@dataclass(frozen=True)
class BucketChoice:
    value: str
    label: str
    help: str
    count: int | None = None


def filtered_from(request: HtmxHttpRequest) -> ActionFilterForm:
    filters = ActionFilterForm(request.GET, user=request.user)
    filters.is_valid()  # an unknown value filters nothing; the rest still apply
    return filters


def prepare_rows(rows, user, now: dt.datetime) -> None:
    """What each row shows beyond its fields: ageing, and the owner's snooze form."""
    today = timezone.localdate(now)
    for action in rows:
        action.overdue_days = action.days_overdue(today)
        action.idle_days = (now - action.updated_at).days
        action.snoozed = action.snoozed_on(today)
        if action.owner_id == user.pk and action.is_open and action.snoozed_at is None:
            action.snooze_form = SnoozeForm(today=today, prefix=f"snooze-{action.pk}")


@require_GET
@vary_on_headers("HX-Request")
def action_list(request: HtmxHttpRequest) -> HttpResponse:
    """The dashboard: buckets with counts, filters, groups. htmx gets the
    results and the new counts; the form stays as the person left it."""
    now = timezone.now()
    filters = filtered_from(request)
    bucket = filters.cleaned_data.get("bucket", "")
    group = filters.cleaned_data.get("group", "")
    actions = narrowed(request.user, filters.cleaned_data)
    counts = actions.bucket_counts(now)
    shown = listed(actions, bucket=bucket, group=group, now=now)
    paginator = Paginator(shown, PAGE_SIZE)
    if bucket in counts:
        paginator.count = counts[bucket]  # the same rows, counted already
    page = paginator.get_page(request.GET.get("page"))
    prepare_rows(page, request.user, now)
    groups = None
    if group in GROUPINGS and page.object_list:
        groups = grouped(page, shown, GROUPINGS[group])
    labels = dict(ActionFilterForm.base_fields["bucket"].choices)
    buckets = [
        BucketChoice(value, labels[value], BUCKET_HELP[value], counts.get(value))
        for value in labels
    ]
    fragment = wants_fragment(request)
    template = "actions/dashboard.html#results" if fragment else "actions/dashboard.html"
    return render(
        request,
        template,
        {
            "fragment": fragment,
            "page": page,
            "groups": groups,
            "grouping": GROUPINGS.get(group),
            "filters": filters,
            "filtered": bool(filters.active),
            "bucket": bucket,
            "buckets": buckets,
            "mine": bool(filters.cleaned_data.get("mine")),
        },
    )


@require_GET
def action_export(request: HtmxHttpRequest) -> HttpResponse:
    """The dashboard's current view (filters, bucket, order; every page) as CSV."""
    now = timezone.now()
    today = timezone.localdate(now)
    filters = filtered_from(request)
    actions = listed(
        narrowed(request.user, filters.cleaned_data),
        bucket=filters.cleaned_data.get("bucket", ""),
        group=filters.cleaned_data.get("group", ""),
        now=now,
    )
    # Written whole rather than streamed: under ASGI Django buffers a
    # synchronous stream anyway; iterator() keeps the ORM's share small.
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="actions-{today.isoformat()}.csv"'
    write_csv(response, actions.iterator(chunk_size=2000), today, request.build_absolute_uri)
    return response


@require_GET
def nav_counts(request: HtmxHttpRequest) -> HttpResponse:
    """The navigation's overdue counts (the signed-in person's, and all they
    may see), fetched by every page once it has loaded: one query."""
    counts = (
        ActionItem.objects.visible_to(request.user)
        .overdue(timezone.localdate())
        .aggregate(every=Count("pk"), mine=Count("pk", filter=Q(owner=request.user)))
    )
    return render(request, "actions/nav_counts.html", counts)


@require_POST
def action_snooze(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The owner snoozes an item's reminders once, with a reason."""
    action = get_object_or_404(
        ActionItem.objects.visible_to(request.user)
        .owned_by(request.user)
        .select_related("postmortem__incident", "owner"),
        pk=pk,
    )
    now = timezone.now()
    form = SnoozeForm(request.POST, today=timezone.localdate(now), prefix=f"snooze-{action.pk}")
    if action.snoozed_at is not None:
        form.add_error(None, ALREADY_SNOOZED)
    elif not action.is_open:
        form.add_error(None, "Only an open action can be snoozed.")
    elif form.is_valid():
        data = form.cleaned_data
        if action.snooze(until=data["snoozed_until"], reason=data["snooze_reason"]):
            return _snoozed(request, action, now)
        form.add_error(None, ALREADY_SNOOZED)  # another request snoozed it first
    prepare_rows([action], request.user, now)
    if hasattr(action, "snooze_form"):
        action.snooze_form = form  # re-rendered with what was typed and why it failed
    context = {"action": action, "form": form, "next": _next(request)}
    if wants_fragment(request):
        return render(request, "actions/dashboard.html#row", context, status=422)
    return render(request, "actions/snooze.html", context, status=422)


def _snoozed(request: HtmxHttpRequest, action: ActionItem, now: dt.datetime) -> HttpResponse:
    if wants_fragment(request):
        prepare_rows([action], request.user, now)
        return render(
            request, "actions/dashboard.html#row", {"action": action, "just_snoozed": True}
        )
    messages.success(
        request, f"{action.ref} snoozed: no reminders until {action.snoozed_until:%Y-%m-%d}."
    )
    return redirect(_next(request))


def _next(request: HtmxHttpRequest) -> str:
    """Back to the dashboard view the form was on, never to another site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("actions:list")
