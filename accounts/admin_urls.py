"""The organization admin pages, mounted at ``/o/<org_slug>/admin/`` (admins only)."""

from django.urls import path
from django.views.generic import RedirectView

from accounts import views
from okr.views import cycles

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin_members"), name="admin_home"),
    path("members/", views.members, name="admin_members"),
    path("members/<int:membership_id>/", views.member_update, name="admin_member_update"),
    path("invitations/", views.invitation_create, name="admin_invitation_create"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="admin_invitation_revoke",
    ),
    path("teams/", views.teams, name="admin_teams"),
    path("teams/<int:team_id>/edit/", views.team_edit, name="admin_team_edit"),
    path("teams/<int:team_id>/delete/", views.team_delete, name="admin_team_delete"),
    path("cycles/", cycles.cycles, name="admin_cycles"),
    path("cycles/<int:cycle_id>/edit/", cycles.cycle_edit, name="admin_cycle_edit"),
    path("cycles/<int:cycle_id>/status/", cycles.cycle_status, name="admin_cycle_status"),
    path("cycles/<int:cycle_id>/delete/", cycles.cycle_delete, name="admin_cycle_delete"),
    path("settings/", views.organization_settings, name="admin_settings"),
]
