"""Log in (rate-limited by django-axes), log out, language, API tokens."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiptown.accounts import services
from chiptown.accounts.models import User
from chiptown.core.errors import NotFound


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language for this browser and, when signed in, remember it on the user."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated and isinstance(request.user, User):
            services.user_set_language(user=request.user, language=language)
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            max_age=365 * 24 * 3600,
        )
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    new_key = None
    if request.method == "POST":
        if "revoke" in request.POST:
            token_id = request.POST["revoke"].strip()
            if not token_id.isascii() or not token_id.isdigit():
                raise NotFound(_("No such token."))
            services.api_token_revoke(user=request.user, token_id=int(token_id))
            messages.success(request, _("Token revoked."))
            return redirect(reverse("accounts:profile"))
        _token, new_key = services.api_token_issue(user=request.user, name=request.POST.get("name", ""))
    return render(
        request,
        "accounts/profile.html",
        {"tokens": request.user.api_tokens.order_by("-created_at"), "new_key": new_key},
    )
