from django.urls import path

from actions import views

app_name = "actions"

urlpatterns = [
    path("", views.action_list, name="list"),
    path("export.csv", views.action_export, name="export"),
    path("nav-counts/", views.nav_counts, name="nav_counts"),
    path("<int:pk>/snooze/", views.action_snooze, name="snooze"),
]
