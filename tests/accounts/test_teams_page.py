"""The teams page: an indented tree; create, edit and delete with confirmation."""

from __future__ import annotations

import pytest

from accounts.models import Team
from tests.factories import CycleFactory, ObjectiveFactory, TeamFactory

TEAMS = "/o/acme/admin/teams/"


def test_an_organization_without_teams_is_taught_to_create_one(client_of, alice):
    content = client_of(alice).get(TEAMS).content.decode()

    assert "Create your first team" in content


def test_it_shows_the_teams_as_an_indented_tree(client_of, alice, acme):
    engineering = TeamFactory(organization=acme, name="Engineering")
    platform = TeamFactory(organization=acme, name="Platform", parent=engineering)
    TeamFactory(organization=acme, name="Accounting")

    response = client_of(alice).get(TEAMS)

    assert [(team.name, depth) for team, depth in response.context["tree"]] == [
        ("Accounting", 0),
        ("Engineering", 0),
        ("Platform", 1),
    ]
    assert f'id="team-{platform.pk}" style="--depth: 1"' in response.content.decode()


def test_it_creates_a_team_with_a_parent_and_a_lead(client_of, alice, mark, platform_team):
    response = client_of(alice).post(
        TEAMS, {"name": "Databases", "parent": platform_team.pk, "lead": mark.user.pk}
    )

    assert response["Location"] == TEAMS
    team = Team.objects.get(name="Databases")
    assert (team.parent, team.lead) == (platform_team, mark.user)


def test_a_lead_from_another_organization_is_not_a_choice(client_of, alice, oscar):
    response = client_of(alice).post(TEAMS, {"name": "Spies", "lead": oscar.user.pk})

    assert response.status_code == 200
    assert response.context["form"].errors["lead"]
    assert 'value="Spies"' in response.content.decode()
    assert not Team.objects.filter(name="Spies").exists()


def test_a_team_cannot_move_under_its_own_descendant(client_of, alice, acme):
    engineering = TeamFactory(organization=acme, name="Engineering")
    platform = TeamFactory(organization=acme, name="Platform", parent=engineering)

    response = client_of(alice).post(
        f"/o/acme/admin/teams/{engineering.pk}/edit/",
        {"name": "Engineering", "parent": platform.pk},
    )

    assert response.status_code == 200
    assert "its own ancestor" in response.context["form"].errors["parent"][0]
    engineering.refresh_from_db()
    assert engineering.parent is None


def test_it_renames_a_team(client_of, alice, platform_team):
    url = f"/o/acme/admin/teams/{platform_team.pk}/edit/"
    assert 'value="Platform"' in client_of(alice).get(url).content.decode()

    response = client_of(alice).post(url, {"name": "Platform & Tools"})

    assert response["Location"] == TEAMS
    platform_team.refresh_from_db()
    assert platform_team.name == "Platform & Tools"


def test_it_deletes_a_team_after_confirmation(client_of, alice, platform_team):
    url = f"/o/acme/admin/teams/{platform_team.pk}/delete/"
    client = client_of(alice)

    assert "Delete team" in client.get(url).content.decode()
    assert Team.objects.filter(pk=platform_team.pk).exists()
    response = client.post(url)

    assert response["Location"] == TEAMS
    assert not Team.objects.filter(pk=platform_team.pk).exists()


def test_a_team_objectives_use_is_not_deleted_and_the_page_says_why(
    client_of, alice, acme, platform_team
):
    ObjectiveFactory(cycle=CycleFactory(organization=acme), level="team", team=platform_team)

    response = client_of(alice).post(f"/o/acme/admin/teams/{platform_team.pk}/delete/")

    assert response.status_code == 200
    assert "Objectives still use this team" in response.content.decode()
    assert Team.objects.filter(pk=platform_team.pk).exists()


@pytest.mark.parametrize("person", ["mark", "emma"])
def test_only_admins_manage_teams(client_of, request, person, platform_team):
    client = client_of(request.getfixturevalue(person))

    assert client.get(TEAMS).status_code == 403
    assert client.post(TEAMS, {"name": "Rogue"}).status_code == 403
    assert client.post(f"/o/acme/admin/teams/{platform_team.pk}/delete/").status_code == 403
    assert Team.objects.filter(pk=platform_team.pk).exists()


def test_oscar_cannot_see_or_touch_acme_s_teams(client_of, oscar, platform_team):
    client = client_of(oscar)

    assert client.get(TEAMS).status_code == 404
    assert client.post(f"/o/acme/admin/teams/{platform_team.pk}/delete/").status_code == 404


def test_oscar_s_own_pages_do_not_reach_acme_s_teams(client_of, oscar, platform_team):
    response = client_of(oscar).post(f"/o/globex/admin/teams/{platform_team.pk}/delete/")

    assert response.status_code == 404
    assert Team.objects.filter(pk=platform_team.pk).exists()


def test_htmx_gets_the_board_alone_with_the_new_team_and_a_fresh_form(
    client_of, alice, htmx_headers
):
    response = client_of(alice).post(TEAMS, {"name": "Research"}, headers=htmx_headers)

    content = response.content.decode().strip()
    assert content.startswith('<div class="columns" id="teams-board">')
    assert "<html" not in content
    assert "Team “Research” is created." in content
    assert 'value="Research"' not in content  # the form is empty again
    assert Team.objects.filter(name="Research").exists()


def test_htmx_gets_the_board_with_the_errors_and_the_input(client_of, alice, oscar, htmx_headers):
    response = client_of(alice).post(
        TEAMS, {"name": "Spies", "lead": oscar.user.pk}, headers=htmx_headers
    )

    content = response.content.decode().strip()
    assert content.startswith('<div class="columns" id="teams-board">')
    assert 'class="field-error"' in content
    assert 'value="Spies"' in content
