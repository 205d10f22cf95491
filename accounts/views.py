"""The accounts pages: home, log-out, password reset, the profile and API tokens.

Sign-up, invitations and the organization switcher create memberships and live in
``okr/views/onboarding.py``; the organization admin pages in ``okr/views/admin/``.

Each view reads top to bottom: access, form, one service call, response. A
successful POST redirects (or, for HTMX, returns the fragment it replaces); a
failed one renders the form again with the errors and what the user typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import services
from accounts.emails import user_for_verification_token
from accounts.forms import (
    ChoosePasswordForm,
    ProfileForm,
    ResetPasswordForm,
    ResetRequestForm,
    add_service_errors,
)
from accounts.models import ApiToken
from accounts.rls import all_tenants
from accounts.tenancy import active_memberships
from accounts.throttling import throttle_posts

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

# --- Home, log-out ------------------------------------------------------------------------


@login_required
@all_tenants()  # the user's list of organizations
def home(request):
    """The last organization the user visited, else their first; none yet → the switcher."""
    memberships = list(active_memberships(request.user))
    if not memberships:
        return redirect("organization_list")
    last = request.session.get("last_org")
    chosen = next((m for m in memberships if m.organization.slug == last), memberships[0])
    return redirect("dashboard", org_slug=chosen.organization.slug)


class LogoutView(auth_views.LogoutView):
    """Log out by POST (the user menu); a GET shows a confirmation button instead of a 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout_confirm.html")


@throttle_posts("verify")
def verify_email(request, token: str):
    """The link of the verification e-mail: following it proves the address.

    The first time, the account is taken over (``services.email_verify``: every
    session and API token of it ends), the visitor is signed in, and chooses the
    password on this page.
    """
    user = user_for_verification_token(token)
    if user is None:
        return render(request, "accounts/verify_email.html", {"invalid": True}, status=400)
    if services.email_verify(user=user):
        login(request, user, backend=MODEL_BACKEND)
    is_owner_here = request.user.is_authenticated and request.user.pk == user.pk
    if not (is_owner_here and services.needs_new_password(user)):
        return render(request, "accounts/verify_email.html", {"verified_user": user})
    form = ChoosePasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_take_over(user=user, password=form.cleaned_data["password"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, "Your address is confirmed and your password is set.")
            return redirect("home")
    return render(request, "accounts/verify_email.html", {"form": form, "pending_user": user})


@login_required
@require_POST
def verification_resend(request):
    services.email_verification_resend(user=request.user)
    messages.success(request, f"We sent a new confirmation link to {request.user.email}.")
    return redirect("profile")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request page; the e-mail is limited and sent by a worker (the form's save)."""

    form_class = ResetRequestForm


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset link; the new password ends the user's API tokens and other sessions."""

    form_class = ResetPasswordForm


# --- Profile and API tokens -------------------------------------------------------------------


def password_form_class(user):
    """The old password is asked for, unless a link took the account over and none is set."""
    return PasswordChangeForm if user.has_usable_password() else SetPasswordForm


def _render_profile(request, *, profile_form=None, password_form=None, new_token: str = ""):
    user = request.user
    context = {
        "profile_form": profile_form
        or ProfileForm(initial={"name": user.name, "checkin_reminders": user.checkin_reminders}),
        "password_form": password_form or password_form_class(user)(user),
        "tokens": list(user.api_tokens.order_by("-created_at", "-id")),
        "new_token": new_token,
    }
    if request.htmx and request.htmx.target == "api-tokens":
        return render(request, "accounts/profile.html#api-tokens", context)
    return render(request, "accounts/profile.html", context)


@login_required
def profile(request):
    if request.method != "POST":
        # A token just created is shown once, on the page the POST redirected to.
        return _render_profile(request, new_token=request.session.pop("new_api_token", ""))
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            services.user_update(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("profile")
    return _render_profile(request, profile_form=form)


@login_required
@require_POST
def password_change(request):
    form = password_form_class(request.user)(request.user, request.POST)
    if form.is_valid():
        user = services.password_set(user=request.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)  # stay signed in on this device
        messages.success(request, "Your password is changed.")
        return redirect("profile")
    return _render_profile(request, password_form=form)


@login_required
@require_POST
def api_token_create(request):
    _token, raw = ApiToken.issue(request.user)
    if request.htmx:
        return _render_profile(request, new_token=raw)
    request.session["new_api_token"] = raw
    return redirect(reverse("profile") + "#api-tokens")


@login_required
@require_POST
def api_token_revoke(request, token_id: int):
    try:
        services.api_token_revoke(user=request.user, token_id=token_id)
    except ApiToken.DoesNotExist:
        raise Http404("No such token.") from None
    if request.htmx:
        return _render_profile(request)
    messages.success(request, "The token is revoked: it no longer works.")
    return redirect(reverse("profile") + "#api-tokens")
