import random

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

LINE = engines["django"].from_string("<p>Saved row {{ id }}.</p>")
TABLE = "bench_floor"


@csrf_exempt
def write(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (note) VALUES (%s) RETURNING id", ["floor"])
        (row,) = cursor.fetchone()
    return HttpResponse(LINE.render({"id": row}))


def read(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT note FROM {TABLE} WHERE id = %s", [random.randint(1, 1000)])
        found = cursor.fetchone()
    return HttpResponse(found[0] if found else "")


urlpatterns = [path("write/", write), path("read/", read)]
