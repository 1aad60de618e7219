"""Insights: each chart as server-side SVG with its table, and its CSV."""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from postmortems.http import HtmxHttpRequest
from postmortems.learning.insights import CHARTS


@require_GET
def insights_page(request: HtmxHttpRequest) -> HttpResponse:
    charts = [build(request.user) for build in CHARTS.values()]
    return render(request, "learning/insights.html", {"charts": charts})


@require_GET
def insights_csv(request: HtmxHttpRequest, chart: str) -> HttpResponse:
    if chart not in CHARTS:
        raise Http404("No such chart.")
    data = CHARTS[chart](request.user)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{data.slug}.csv"'
    writer = csv.writer(response)
    writer.writerow(data.columns)
    writer.writerows(["" if cell is None else cell for cell in row] for row in data.rows)
    return response
