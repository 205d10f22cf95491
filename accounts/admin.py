"""The support admin at ``/support/``: find people and organizations, fix memberships.

Support staff work across tenants, so every list can be narrowed to one
organization, and big foreign keys are raw ids (no select of every user).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db.models import Count

from accounts.models import ApiToken, Invitation, Membership, Organization, Role, Team, User


class OrganizationFilter(admin.SimpleListFilter):
    """Narrow a list to one tenant, by slug (the organization's name can repeat)."""

    title = "organization"
    parameter_name = "org"
    organization_field = "organization"

    def lookups(self, request, model_admin):
        return list(Organization.objects.order_by("slug").values_list("slug", "slug"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.organization_field}__slug": self.value()})
        return queryset


class UserOrganizationFilter(OrganizationFilter):
    organization_field = "memberships__organization"


class TokenOrganizationFilter(OrganizationFilter):
    organization_field = "user__memberships__organization"


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("organization", "role", "is_active", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("organization",)
    show_change_link = True


class SupportPasswordChangeForm(AdminPasswordChangeForm):
    """Support sets a password the way the user would: every API token of theirs ends."""

    def save(self, commit: bool = True) -> User:
        user = super().save(commit)
        ApiToken.objects.filter(user=user).delete()
        return user


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = SupportPasswordChangeForm
    ordering = ("email",)
    readonly_fields = ("date_joined", "last_login", "email_verified_at")
    list_display = ("email", "name", "is_active", "is_staff", "date_joined", "last_login")
    list_filter = (UserOrganizationFilter, "is_active", "is_staff", "checkin_reminders")
    search_fields = ("email", "name")
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "name", "password")}),
        ("Preferences", {"fields": ("checkin_reminders",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("date_joined", "last_login", "email_verified_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "timezone", "members", "created_at")
    search_fields = ("name", "slug")
    readonly_fields = ("slug", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(ordering="member_count")
    def members(self, organization):
        return organization.member_count


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("user", "organization", "role", "is_active", "teams")

    def clean(self):
        """The one rule support must not break by hand: an organization keeps an active admin."""
        cleaned = super().clean()
        before = self.instance  # not yet updated from the form at this point
        was_active_admin = before.pk and before.role == Role.ADMIN and before.is_active
        stays = cleaned.get("role") == Role.ADMIN and cleaned.get("is_active")
        if was_active_admin and not stays:
            others = Membership.objects.filter(
                organization_id=before.organization_id, role=Role.ADMIN, is_active=True
            ).exclude(pk=before.pk)
            if not others.exists():
                raise forms.ValidationError(
                    "This is the last active admin: make someone else an admin first."
                )
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ("user", "organization", "role", "is_active", "created_at")
    list_filter = (OrganizationFilter, "role", "is_active")
    search_fields = ("user__email", "user__name", "organization__slug", "organization__name")
    list_select_related = ("user", "organization")
    raw_id_fields = ("user", "organization")
    filter_horizontal = ("teams",)
    readonly_fields = ("created_at",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "parent", "lead")
    list_filter = (OrganizationFilter,)
    search_fields = ("name", "organization__slug")
    list_select_related = ("organization", "parent", "lead")
    raw_id_fields = ("organization", "parent", "lead")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organization", "role", "created_at", "expires_at", "accepted_at")
    list_filter = (OrganizationFilter, "role")
    search_fields = ("email", "organization__slug")
    list_select_related = ("organization",)
    raw_id_fields = ("organization", "invited_by")
    readonly_fields = ("key_hash", "created_at", "accepted_at", "voided_at")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens can be looked at and revoked (deleted), never read: only their hash is stored."""

    list_display = ("id", "user", "created_at", "last_used_at")
    list_filter = (TokenOrganizationFilter,)
    search_fields = ("user__email",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    fields = ("user", "created_at", "last_used_at")
    readonly_fields = ("user", "created_at", "last_used_at")

    def has_add_permission(self, request):
        return False
