from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from postmortems.views import login

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incidents:list"), name="home"),
    path("login/", login.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("incidents/", include("incidents.urls")),
    path("postmortems/", include("postmortems.review_urls")),
    path("actions/", include("actions.urls")),
    path("", include("postmortems.learning.urls")),
    path("admin/", admin.site.urls),
]
