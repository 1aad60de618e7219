"""Your account: personal API tokens, created (shown once) and revoked."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from postmortems.api.auth import api_token_create
from postmortems.http import HtmxHttpRequest
from postmortems.models import ApiToken

TEMPLATE = "account/tokens.html"


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=80, help_text="What it is for, so you know which one to revoke later."
    )


def _page(request: HtmxHttpRequest, form: TokenForm, *, new_token: str = "", status: int = 200):
    tokens = ApiToken.objects.filter(user=request.user)
    context = {"form": form, "tokens": tokens, "new_token": new_token}
    return render(request, TEMPLATE, context, status=status)


@require_http_methods(["GET", "POST"])
def tokens(request: HtmxHttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=422)
    _, raw = api_token_create(user=request.user, name=form.cleaned_data["name"])
    # The only time the token is readable: only its digest is stored.
    return _page(request, TokenForm(), new_token=raw)


@require_POST
def token_revoke(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    token.revoke()
    messages.success(request, f"Revoked the token “{token.name}”: it no longer works.")
    return redirect("account_tokens")
