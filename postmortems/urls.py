from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from postmortems import api
from postmortems.views import account, login

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="incidents:list"), name="home"),
    path("login/", login.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("incidents/", include("incidents.urls")),
    path("postmortems/", include("postmortems.review_urls")),
    path("actions/", include("actions.urls")),
    path("", include("postmortems.learning.urls")),
    path("account/tokens/", account.tokens, name="account_tokens"),
    path("account/tokens/<int:pk>/revoke/", account.token_revoke, name="account_token_revoke"),
    path("api/v1/", api.urls()),
    path("admin/", admin.site.urls),
]
