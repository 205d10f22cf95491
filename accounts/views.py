"""The accounts pages: home, sign-up, invitations, the organization switcher, the profile,
and the organization admin pages (members and invitations, teams, settings).

Each view reads top to bottom: access, form, one service call, response. A
successful POST redirects (or, for HTMX, returns the fragment it replaces); a
failed one renders the form again with the errors and what the user typed.
The cycle admin pages live in ``okr/views/cycles.py``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts import services
from accounts.decorators import admin_page
from accounts.forms import (
    ExistingAccountInvitationForm,
    InvitationForm,
    MembershipForm,
    NewAccountInvitationForm,
    OrganizationForm,
    OrganizationSettingsForm,
    ProfileForm,
    SignedInInvitationForm,
    SignupForm,
    TeamForm,
    add_service_errors,
)
from accounts.models import ApiToken, Invitation, Membership, Role, Team, User
from accounts.tenancy import active_memberships
from accounts.throttling import throttle_posts

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


# --- Home, sign-up, log-out -----------------------------------------------------------------


@login_required
def home(request):
    """The last organization the user visited, else their first; none yet → the switcher."""
    memberships = list(active_memberships(request.user))
    if not memberships:
        return redirect("organization_list")
    last = request.session.get("last_org")
    chosen = next((m for m in memberships if m.organization.slug == last), memberships[0])
    return redirect("dashboard", org_slug=chosen.organization.slug)


@throttle_posts("signup")
def signup(request):
    if request.user.is_authenticated and request.method == "GET":
        # Signed in already: another organization is created from the switcher.
        return redirect("organization_list")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.user_signup(**form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, membership.user, backend=MODEL_BACKEND)
            messages.success(
                request, f"Welcome to Cascade! {membership.organization.name} is ready."
            )
            return redirect("dashboard", org_slug=membership.organization.slug)
    return render(request, "accounts/signup.html", {"form": form})


class LogoutView(auth_views.LogoutView):
    """Log out by POST (the user menu); a GET shows a confirmation button instead of a 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout_confirm.html")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset flow, with text and HTML e-mails whose links start at ``SITE_URL``."""

    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)


# --- Invitations ------------------------------------------------------------------------------


@throttle_posts("invitation")
def invitation_accept(request, key: str):
    """Join an organization from an invitation link: a new account, an existing one, or one click."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("organization", "invited_by"), key=key
    )
    invitee = User.objects.filter(email__iexact=invitation.email).first()
    signed_in = request.user if request.user.is_authenticated else None
    is_invitee_signed_in = (
        signed_in is not None and invitee is not None and signed_in.pk == invitee.pk
    )
    is_someone_else = signed_in is not None and not is_invitee_signed_in
    if is_invitee_signed_in:
        form_class = SignedInInvitationForm
    elif invitee is not None:
        form_class = ExistingAccountInvitationForm
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
            if not is_invitee_signed_in:
                login(request, membership.user, backend=MODEL_BACKEND)
            messages.success(request, f"You joined {membership.organization.name}.")
            return redirect("dashboard", org_slug=membership.organization.slug)
    context = {
        "invitation": invitation,
        "form": form,
        "unusable": invitation.unusable_reason,
        "invitee_exists": invitee is not None,
        "is_invitee_signed_in": is_invitee_signed_in,
        "is_someone_else": is_someone_else,
        "role_label": Role(invitation.role).label,
    }
    return render(request, "accounts/invitation.html", context)


# --- Organization switcher --------------------------------------------------------------------


@login_required
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


# --- Profile and API tokens -------------------------------------------------------------------


def _render_profile(request, *, profile_form=None, password_form=None, new_token: str = ""):
    user = request.user
    context = {
        "profile_form": profile_form
        or ProfileForm(initial={"name": user.name, "checkin_reminders": user.checkin_reminders}),
        "password_form": password_form or PasswordChangeForm(user),
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
    form = PasswordChangeForm(request.user, request.POST)
    if form.is_valid():
        user = form.save()
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


# --- Admin: members and invitations -----------------------------------------------------------


def _members(organization) -> list[Membership]:
    return list(
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .prefetch_related("teams")
        .order_by("-is_active", "user__name", "user__email", "id")
    )


def _invitations_context(request, invite_form=None) -> dict:
    invitations = (
        Invitation.objects.filter(organization=request.organization, accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at", "-id")
    )
    return {
        "invitations": list(invitations),
        "invite_form": invite_form or InvitationForm(),
        "roles": Role.choices,
    }


def _render_members(request, *, failed: Membership | None = None, invite_form=None, status=200):
    members = _members(request.organization)
    if failed is not None:
        # Show the refused change in its row, with the user's choice kept.
        members = [failed if member.pk == failed.pk else member for member in members]
    context = {
        "members": members,
        "roles": Role.choices,
        "all_teams": _teams_of(request.organization),
        **_invitations_context(request, invite_form),
    }
    return render(request, "accounts/members.html", context, status=status)


@admin_page
def members(request):
    return _render_members(request)


@admin_page
@require_POST
def member_update(request, membership_id: int):
    """Change a member's role, active flag or teams; the row swaps in place under HTMX."""
    member = get_object_or_404(
        Membership.objects.select_related("user"),
        organization=request.organization,
        pk=membership_id,
    )
    form = MembershipForm(request.POST, organization=request.organization)
    if form.is_valid():
        changes = form.changes(request.POST)
        try:
            services.membership_update(actor=request.membership, membership=member, **changes)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if member.pk == request.membership.pk and not (member.is_active and member.is_admin):
                # Admins who step down lose these pages, and a deactivated one the
                # organization itself: send them to its dashboard, or home.
                messages.success(request, "Your membership is changed.")
                url = (
                    reverse("dashboard", kwargs={"org_slug": request.organization.slug})
                    if member.is_active
                    else reverse("home")
                )
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
            if request.htmx:
                return render(
                    request, "accounts/members.html#member-row", _row_context(request, member)
                )
            messages.success(request, f"{member.user.display_name} is updated.")
            return redirect("admin_members", org_slug=request.organization.slug)
    member.errors = form.errors
    member.non_field_errors = form.non_field_errors()
    member.chosen_role = request.POST.get("role", member.role)
    if request.htmx:
        return render(request, "accounts/members.html#member-row", _row_context(request, member))
    return _render_members(request, failed=member)


def _row_context(request, member: Membership) -> dict:
    return {"member": member, "roles": Role.choices, "all_teams": _teams_of(request.organization)}


@admin_page
@require_POST
def invitation_create(request):
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(actor=request.membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if request.htmx:
                context = {**_invitations_context(request), "invited": invitation}
                return render(request, "accounts/members.html#invitations", context)
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("admin_members", org_slug=request.organization.slug)
    if request.htmx:
        return render(
            request, "accounts/members.html#invitations", _invitations_context(request, form)
        )
    return _render_members(request, invite_form=form)


@admin_page
@require_POST
def invitation_revoke(request, invitation_id: int):
    invitation = get_object_or_404(
        Invitation, organization=request.organization, pk=invitation_id, accepted_at__isnull=True
    )
    services.invitation_revoke(actor=request.membership, invitation=invitation)
    if request.htmx:
        return render(request, "accounts/members.html#invitations", _invitations_context(request))
    messages.success(request, f"The invitation of {invitation.email} is revoked.")
    return redirect("admin_members", org_slug=request.organization.slug)


# --- Admin: teams -------------------------------------------------------------------------


def team_tree(teams: list[Team]) -> list[tuple[Team, int]]:
    """The teams in tree order (parents before their children, siblings by name) with depths."""
    children: dict[int | None, list[Team]] = {}
    known = {team.pk for team in teams}
    for team in teams:
        parent = team.parent_id if team.parent_id in known else None
        children.setdefault(parent, []).append(team)
    ordered: list[tuple[Team, int]] = []
    seen: set[int] = set()

    def walk(parent_id, depth):
        for team in sorted(children.get(parent_id, []), key=lambda t: (t.name.lower(), t.pk)):
            if team.pk in seen:
                continue
            seen.add(team.pk)
            ordered.append((team, depth))
            walk(team.pk, depth + 1)

    walk(None, 0)
    return ordered


def _teams_of(organization) -> list[Team]:
    return list(Team.objects.filter(organization=organization).select_related("lead"))


@admin_page
def teams(request):
    """The teams as an indented tree, and the form to create one (HTMX swaps both)."""
    form = TeamForm(request.POST or None, organization=request.organization)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.team_create(actor=request.membership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, f"Team “{created.name}” is created.")
                return redirect("admin_teams", org_slug=request.organization.slug)
            form = TeamForm(organization=request.organization)
    context = {
        "form": form,
        "tree": team_tree(_teams_of(request.organization)),
        "created": created,
    }
    template = "accounts/teams.html#teams-board" if request.htmx else "accounts/teams.html"
    return render(request, template, context)


def _team_for(request, team_id: int) -> Team:
    return get_object_or_404(Team, organization=request.organization, pk=team_id)


@admin_page
def team_edit(request, team_id: int):
    team = _team_for(request, team_id)
    initial = {"name": team.name, "parent": team.parent_id, "lead": team.lead_id}
    form = TeamForm(
        request.POST or None, initial=initial, organization=request.organization, team=team
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(actor=request.membership, team=team, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Team “{team.name}” is saved.")
            return redirect("admin_teams", org_slug=request.organization.slug)
    return render(request, "accounts/team_form.html", {"form": form, "team": team})


@admin_page
def team_delete(request, team_id: int):
    team = _team_for(request, team_id)
    error_messages: list[str] = []
    if request.method == "POST":
        try:
            services.team_delete(actor=request.membership, team=team)
        except ValidationError as error:
            error_messages = error.messages
        else:
            messages.success(request, f"Team “{team.name}” is deleted.")
            return redirect("admin_teams", org_slug=request.organization.slug)
    context = {
        "team": team,
        "errors": error_messages,
        "sub_teams": list(team.children.order_by("name")),
    }
    return render(request, "accounts/team_confirm_delete.html", context)


# --- Admin: settings ----------------------------------------------------------------------


@admin_page
def organization_settings(request):
    """Name, time zone and check-in schedule; HTMX swaps the form (and the top bar's name)."""
    form = OrganizationSettingsForm(request.POST or None, initial=_settings_initial(request))
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            request.organization = services.organization_update(
                actor=request.membership, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, "The settings are saved.")
                return redirect("admin_settings", org_slug=request.organization.slug)
            form = OrganizationSettingsForm(initial=_settings_initial(request))
            saved = True
    context = {"form": form, "saved": saved, "organization": request.organization}
    template = "accounts/settings.html#settings-form" if request.htmx else "accounts/settings.html"
    return render(request, template, context)


def _settings_initial(request) -> dict:
    organization = request.organization
    return {
        "name": organization.name,
        "timezone": organization.timezone,
        "checkin_weekday": organization.checkin_weekday,
        "checkin_hour": organization.checkin_hour,
        "checkin_cadence_days": organization.checkin_cadence_days,
    }
