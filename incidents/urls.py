from django.urls import path

from incidents.views import lists, page

app_name = "incidents"

urlpatterns = [
    path("", lists.incident_list, name="list"),
    path("new/", lists.incident_new, name="new"),
    path("<str:ref>/", page.incident_detail, name="detail"),
    path("<str:ref>/header/", page.incident_header, name="header"),
]
