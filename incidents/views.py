from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
