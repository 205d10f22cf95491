"""Members: everyone reads the list, admins change roles, activity and teams."""

from __future__ import annotations

import pytest

from accounts.models import Membership, Role
from tests.api.conftest import org_url
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_it_lists_the_members_with_their_user_and_teams(client_for, alice, emma, platform_team):
    emma.teams.add(platform_team)

    response = client_for(emma).get(org_url("acme", "members/"))

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[emma.pk] == {
        "id": emma.pk,
        "user": {"id": emma.user.pk, "email": "emma@acme.test", "name": "Emma Member"},
        "role": "member",
        "is_active": True,
        "teams": [platform_team.pk],
    }
    assert list(rows) == sorted(rows)


def test_it_lets_an_admin_change_a_role_and_teams(client_for, alice, emma, platform_team):
    response = client_for(alice).patch(
        org_url("acme", f"members/{emma.pk}/"), {"role": "manager", "teams": [platform_team.pk]}
    )

    assert response.status_code == 200, response.json()
    assert response.json()["role"] == "manager"
    assert response.json()["teams"] == [platform_team.pk]
    emma.refresh_from_db()
    assert emma.role == Role.MANAGER


def test_it_deactivates_and_reactivates_a_member(client_for, alice, emma):
    client = client_for(alice)

    off = client.patch(org_url("acme", f"members/{emma.pk}/"), {"is_active": False})
    on = client.patch(org_url("acme", f"members/{emma.pk}/"), {"is_active": True})

    assert off.json()["is_active"] is False
    assert on.json()["is_active"] is True


def test_it_refuses_to_demote_the_last_active_admin(client_for, alice):
    response = client_for(alice).patch(org_url("acme", f"members/{alice.pk}/"), {"role": "member"})

    assert response.status_code == 400
    assert "role" in response.json()
    alice.refresh_from_db()
    assert alice.role == Role.ADMIN


def test_it_refuses_member_changes_to_non_admins(client_for, mark, emma):
    response = client_for(mark).patch(org_url("acme", f"members/{emma.pk}/"), {"role": "admin"})

    assert response.status_code == 403
    assert Membership.objects.get(pk=emma.pk).role == Role.MEMBER


@pytest.mark.parametrize("role", ["owner", 3, None])
def test_it_refuses_an_unknown_role(client_for, alice, emma, role):
    response = client_for(alice).patch(org_url("acme", f"members/{emma.pk}/"), {"role": role})

    assert response.status_code == 400


def test_it_refuses_another_organizations_team(client_for, alice, emma, globex):
    foreign_team = TeamFactory(organization=globex)

    response = client_for(alice).patch(
        org_url("acme", f"members/{emma.pk}/"), {"teams": [foreign_team.pk]}
    )

    assert response.status_code == 400
    assert response.json()["teams"] == [f'Invalid pk "{foreign_team.pk}" - object does not exist.']


def test_it_hides_another_organizations_members(client_for, alice, oscar):
    assert client_for(alice).patch(org_url("acme", f"members/{oscar.pk}/"), {}).status_code == 404
    assert client_for(oscar).get(org_url("acme", "members/")).status_code == 404
