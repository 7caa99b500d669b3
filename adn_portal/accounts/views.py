from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from adn_portal.lib.null_characters import posted_text
from adn_portal.lib.redirects import safe_next

from .forms import ProfileForm
from .middleware import SUPPORTED
from .models import ApiToken, RecordCheck
from .permissions import holds_staff_rights, role_required
from .roles import Role
from .second_factor import second_factor_next_step, session_passed_second_factor
from .tokens import TokenError, api_token_create, api_token_lifetime, api_token_revoke


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("profile")
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def set_language(request):
    """Switch the interface language: remembered in a cookie, and on the profile when signed in."""
    language = request.POST.get("language", "")
    response = redirect(safe_next(request, "/"))
    if language not in SUPPORTED:
        return response
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the token"),
        max_length=100,
        help_text=gettext_lazy("What it is for, e.g. the application that uses it."),
    )


@never_cache
@login_required
def api_tokens(request):
    """The person's API tokens: create one (shown once), see and revoke the others."""
    user = request.user
    staff = holds_staff_rights(user)
    if staff and not session_passed_second_factor(request, user):
        return second_factor_next_step(request, user)
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and "revoke" in request.POST:
        token = ApiToken.objects.filter(user=user, digest=posted_text(request, "revoke")).first()
        if token is not None:
            api_token_revoke(token=token, by=user, request=request)
            messages.success(request, _("The token has been revoked."))
        return redirect("api_tokens")
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = api_token_create(
                user=user,
                name=form.cleaned_data["name"],
                second_factor=session_passed_second_factor(request, user),
                request=request,
            )
        except TokenError as error:
            form.add_error("name", str(error))
        else:
            form = TokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": ApiToken.objects.filter(user=user).order_by("-created"),
            "staff": staff,
            "lifetime_hours": api_token_lifetime(user) // timedelta(hours=1),
            "lifetime_days": api_token_lifetime(user).days,
        },
    )


@never_cache
@role_required(Role.ADMINISTRATOR)
def record_checks(request):
    """The last verifications of the audit log and the files' timelines (applications/
    records.py runs them daily): intact, or the first broken link of each broken chain."""
    checks = list(RecordCheck.objects.all()[:10])
    return render(
        request,
        "accounts/record_checks.html",
        {"last": checks[0] if checks else None, "checks": checks},
    )
