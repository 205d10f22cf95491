"""The organization admin pages, mounted at ``/o/<org_slug>/admin/`` (admins only)."""

from django.urls import path
from django.views.generic import RedirectView

from okr.views.admin import cycles, members, settings, teams

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin_members"), name="admin_home"),
    path("members/", members.members, name="admin_members"),
    path("members/<int:membership_id>/", members.member_update, name="admin_member_update"),
    path("invitations/", members.invitation_create, name="admin_invitation_create"),
    path(
        "invitations/<int:invitation_id>/revoke/",
        members.invitation_revoke,
        name="admin_invitation_revoke",
    ),
    path("teams/", teams.teams, name="admin_teams"),
    path("teams/<int:team_id>/edit/", teams.team_edit, name="admin_team_edit"),
    path("teams/<int:team_id>/delete/", teams.team_delete, name="admin_team_delete"),
    path("cycles/", cycles.cycles, name="admin_cycles"),
    path("cycles/<int:cycle_id>/edit/", cycles.cycle_edit, name="admin_cycle_edit"),
    path("cycles/<int:cycle_id>/status/", cycles.cycle_status, name="admin_cycle_status"),
    path("cycles/<int:cycle_id>/delete/", cycles.cycle_delete, name="admin_cycle_delete"),
    path("cycles/<int:cycle_id>/close/", cycles.cycle_close, name="admin_cycle_close"),
    path("settings/", settings.organization_settings, name="admin_settings"),
]
