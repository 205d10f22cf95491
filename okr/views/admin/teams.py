"""The teams page: the team tree, create, edit, delete (admins only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from accounts.decorators import admin_page
from accounts.forms import (
    TeamForm,
    add_service_errors,
)
from accounts.models import Team
from okr import selectors, services


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


def _teams_of(membership) -> list[Team]:
    return list(selectors.organization_teams(membership).select_related("lead"))


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
        "tree": team_tree(_teams_of(request.membership)),
        "created": created,
    }
    template = "accounts/teams.html#teams-board" if request.htmx else "accounts/teams.html"
    return render(request, template, context)


def _team_for(request, team_id: int) -> Team:
    return get_object_or_404(selectors.organization_teams(request.membership), pk=team_id)


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
