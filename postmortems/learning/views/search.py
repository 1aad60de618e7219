"""Search across incidents and postmortems, with filters; GET, so a search
can be bookmarked."""

from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from postmortems.http import HtmxHttpRequest, wants_fragment
from postmortems.learning.forms import SearchForm
from postmortems.learning.search import search

PAGE_SIZE = 20


@require_GET
@vary_on_headers("HX-Request")
def search_page(request: HtmxHttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    hits = search(request.user, **form.cleaned_data) if form.is_valid() else []
    page = Paginator(hits, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "searched": form.is_valid() and bool(form.cleaned_data["q"]),
        "full_text": connection.vendor == "postgresql",
    }
    template = "learning/search.html"
    if wants_fragment(request):
        template += "#results"
    return render(request, template, context)
