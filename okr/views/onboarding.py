"""Onboarding pages: sign-up (a user and their organization), joining from an invitation,
and the organization switcher with its form to create another organization.

They live in the domain because each one creates a membership and records it in
the activity log.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from accounts import services as account_services
from accounts.forms import (
    ChoosePasswordForm,
    ExistingAccountInvitationForm,
    NewAccountInvitationForm,
    OrganizationForm,
    SignedInInvitationForm,
    SignupForm,
    add_service_errors,
)
from accounts.models import Invitation, Role, User
from accounts.rls import all_tenants
from accounts.tenancy import active_memberships
from accounts.throttling import throttle_posts
from okr import services

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@throttle_posts("signup")
@all_tenants()  # sign-up: the address is unique across tenants
def signup(request):
    """Sign up. The answer is "check your inbox" whether or not the address has an account:
    a new account gets a verification link, an existing one's owner a warning."""
    if request.user.is_authenticated and request.method == "GET":
        # Signed in already: another organization is created from the switcher.
        return redirect("organization_list")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_signup(**form.cleaned_data, reveal_taken=False)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(
                request, "accounts/signup_done.html", {"email": form.cleaned_data["email"]}
            )
    return render(request, "accounts/signup.html", {"form": form})


@throttle_posts("invitation")
@all_tenants()  # the key names the organization; no tenant is known before it
def invitation_accept(request, key: str):
    """Join an organization from an invitation link: a new account, an existing one, or one click.

    An account whose address was never verified is treated like a new one: the
    person with the link chooses its password (and takes it over).
    """
    invitation = services.invitation_for_key(key)
    if invitation is None:
        raise Http404("No such invitation.")
    invitee = User.objects.filter(email__iexact=invitation.email).first()
    if invitee is not None and not invitation.unusable_reason:
        # Following the link proves the address: an unverified account is taken over.
        account_services.email_verify(user=invitee)
    invitee_verified = invitee is not None and not account_services.needs_new_password(invitee)
    signed_in = request.user if request.user.is_authenticated else None
    is_invitee_signed_in = (
        signed_in is not None and invitee is not None and signed_in.pk == invitee.pk
    )
    is_someone_else = signed_in is not None and not is_invitee_signed_in
    if is_invitee_signed_in and invitee_verified:
        form_class = SignedInInvitationForm
    elif invitee_verified:
        form_class = ExistingAccountInvitationForm
    elif invitee is not None:
        form_class = ChoosePasswordForm
    else:
        form_class = NewAccountInvitationForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not is_someone_else and form.is_valid():
        try:
            membership = services.invitation_accept(
                key=key,
                password=form.cleaned_data.get("password", ""),
                name=form.cleaned_data.get("name", ""),
                user=signed_in if is_invitee_signed_in else None,
            )
        except Invitation.DoesNotExist:
            raise Http404("No such invitation.") from None
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # A take-over changed the password: log in again, whoever was signed in.
            login(request, membership.user, backend=MODEL_BACKEND)
            messages.success(request, f"You joined {membership.organization.name}.")
            return redirect("dashboard", org_slug=membership.organization.slug)
    context = {
        "invitation": invitation,
        "key": key,
        "form": form,
        "unusable": invitation.unusable_reason,
        "invitee_exists": invitee_verified,
        "invitee_unverified": invitee is not None and not invitee_verified,
        "is_invitee_signed_in": is_invitee_signed_in and invitee_verified,
        "is_someone_else": is_someone_else,
        "role_label": Role(invitation.role).label,
    }
    return render(request, "accounts/invitation.html", context)


@login_required
@all_tenants()  # the user's list of organizations
def organization_list(request):
    """The user's organizations, and a form to create another one."""
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.organization_create(
                name=form.cleaned_data["organization_name"], admin=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{membership.organization.name} is ready.")
            return redirect("dashboard", org_slug=membership.organization.slug)
    memberships = list(active_memberships(request.user))
    return render(
        request, "accounts/organizations.html", {"form": form, "memberships": memberships}
    )
