"""Sign-in, with attempts limited per client address."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse

from postmortems.ratelimit import client_ip, over_limit

# Attempts per address and minute: a person who mistypes gets several tries,
# a password-guessing script gets ten a minute.
ATTEMPTS_PER_MINUTE = 10


class LimitedAuthenticationForm(AuthenticationForm):
    retry_after: int | None = None

    def clean(self):
        if self.retry_after:
            # Refused before the password is checked: a guess over the limit
            # learns nothing, right or wrong.
            raise ValidationError(
                f"Too many sign-in attempts from your address. "
                f"Try again in {self.retry_after} seconds.",
                code="rate_limited",
            )
        return super().clean()


class LoginView(auth_views.LoginView):
    form_class = LimitedAuthenticationForm
    retry_after: int | None = None

    def post(self, request, *args, **kwargs) -> HttpResponse:
        ip = client_ip(request)
        self.retry_after = over_limit(f"login:{ip}", limit=ATTEMPTS_PER_MINUTE, window=60)
        response = super().post(request, *args, **kwargs)
        if self.retry_after:
            response.status_code = 429
            response["Retry-After"] = str(self.retry_after)
        return response

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.retry_after = self.retry_after
        return form
