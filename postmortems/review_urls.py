"""URLs of the postmortem review domain (the project package's own URLconf is urls.py)."""

from django.urls import path

from postmortems import views

app_name = "postmortems"

urlpatterns = [
    path("", views.postmortem_list, name="list"),
    path("<str:ref>/", views.postmortem_detail, name="detail"),
]
