"""Teams and cycles: members read, admins write, the rules answer 400."""

from __future__ import annotations

import datetime

import pytest

from accounts.models import Team
from okr.models import Cycle, CycleStatus
from tests.api.conftest import org_url
from tests.factories import CycleFactory, ObjectiveFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_it_creates_a_team_under_a_parent_with_a_lead(client_for, alice, mark, platform_team):
    response = client_for(alice).post(
        org_url("acme", "teams/"), {"name": "SRE", "parent": platform_team.pk, "lead": mark.user.pk}
    )

    assert response.status_code == 201, response.json()
    assert response.json() == {
        "id": response.json()["id"],
        "name": "SRE",
        "parent": platform_team.pk,
        "lead": mark.user.pk,
    }


def test_it_lets_members_read_teams_but_not_write_them(client_for, emma, platform_team):
    client = client_for(emma)

    assert client.get(org_url("acme", "teams/")).json()["results"][0]["name"] == "Platform"
    assert client.get(org_url("acme", f"teams/{platform_team.pk}/")).status_code == 200
    assert client.post(org_url("acme", "teams/"), {"name": "Rogue"}).status_code == 403
    assert (
        client.patch(org_url("acme", f"teams/{platform_team.pk}/"), {"name": ""}).status_code == 403
    )
    assert client.delete(org_url("acme", f"teams/{platform_team.pk}/")).status_code == 403


def test_it_refuses_a_team_that_would_be_its_own_ancestor(client_for, alice, platform_team):
    child = TeamFactory(organization=platform_team.organization, parent=platform_team)

    response = client_for(alice).patch(
        org_url("acme", f"teams/{platform_team.pk}/"), {"parent": child.pk}
    )

    assert response.status_code == 400
    assert "parent" in response.json()


def test_it_refuses_another_organizations_parent_or_lead(client_for, alice, oscar, globex):
    foreign_team = TeamFactory(organization=globex)
    client = client_for(alice)

    foreign_parent = client.post(
        org_url("acme", "teams/"), {"name": "X", "parent": foreign_team.pk}
    )
    foreign_lead = client.post(org_url("acme", "teams/"), {"name": "X", "lead": oscar.user.pk})

    assert foreign_parent.status_code == 400
    assert foreign_parent.json() == {
        "parent": [f'Invalid pk "{foreign_team.pk}" - object does not exist.']
    }
    assert foreign_lead.status_code == 400


def test_it_refuses_to_delete_a_team_in_use(client_for, alice, platform_team, acme_cycle):
    ObjectiveFactory(cycle=acme_cycle, owner=alice.user, level="team", team=platform_team)

    response = client_for(alice).delete(org_url("acme", f"teams/{platform_team.pk}/"))

    assert response.status_code == 400
    assert Team.objects.filter(pk=platform_team.pk).exists()


def test_it_deletes_an_unused_team(client_for, alice, platform_team):
    response = client_for(alice).delete(org_url("acme", f"teams/{platform_team.pk}/"))

    assert response.status_code == 204
    assert not Team.objects.filter(pk=platform_team.pk).exists()


def test_it_creates_a_cycle_in_planning(client_for, alice):
    response = client_for(alice).post(
        org_url("acme", "cycles/"),
        {"name": "Q1 2027", "start_date": "2027-01-01", "end_date": "2027-03-31"},
    )

    assert response.status_code == 201, response.json()
    assert response.json() == {
        "id": response.json()["id"],
        "name": "Q1 2027",
        "start_date": "2027-01-01",
        "end_date": "2027-03-31",
        "status": "planning",
    }


@pytest.mark.parametrize(
    "body",
    [
        {"name": "Backwards", "start_date": "2027-03-31", "end_date": "2027-01-01"},
        {"name": "Empty", "start_date": "2027-01-01", "end_date": "2027-01-01"},
        {"name": "Garbled", "start_date": "soon", "end_date": "2027-01-01"},
        {"name": "Odd", "start_date": "2027-01-01", "end_date": "2027-03-31", "status": "done"},
        {"name": "", "start_date": "2027-01-01", "end_date": "2027-03-31"},
    ],
)
def test_it_refuses_invalid_cycles(client_for, alice, body):
    response = client_for(alice).post(org_url("acme", "cycles/"), body)

    assert response.status_code == 400


def test_it_only_reopens_a_closed_cycle(client_for, alice, acme):
    cycle = CycleFactory(organization=acme, status=CycleStatus.CLOSED)
    client = client_for(alice)

    renamed = client.patch(org_url("acme", f"cycles/{cycle.pk}/"), {"name": "New name"})
    reopened = client.patch(org_url("acme", f"cycles/{cycle.pk}/"), {"status": "active"})

    assert renamed.status_code == 400
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "active"


def test_it_keeps_the_status_on_a_full_update(client_for, alice, acme_cycle):
    response = client_for(alice).put(
        org_url("acme", f"cycles/{acme_cycle.pk}/"),
        {
            "name": "Renamed",
            "start_date": acme_cycle.start_date.isoformat(),
            "end_date": (acme_cycle.end_date + datetime.timedelta(days=1)).isoformat(),
        },
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "active"


def test_it_refuses_to_delete_a_cycle_with_objectives(client_for, alice, acme_cycle):
    ObjectiveFactory(cycle=acme_cycle, owner=alice.user)

    response = client_for(alice).delete(org_url("acme", f"cycles/{acme_cycle.pk}/"))

    assert response.status_code == 400
    assert Cycle.objects.filter(pk=acme_cycle.pk).exists()


def test_it_refuses_cycle_writes_to_managers(client_for, mark, acme_cycle):
    client = client_for(mark)

    assert client.get(org_url("acme", "cycles/")).json()["count"] == 1
    assert client.post(org_url("acme", "cycles/"), {}).status_code == 403
    assert client.delete(org_url("acme", f"cycles/{acme_cycle.pk}/")).status_code == 403


def test_it_hides_another_organizations_cycles_under_ones_own_slug(client_for, alice, globex_cycle):
    client = client_for(alice)

    assert client.get(org_url("acme", f"cycles/{globex_cycle.pk}/")).status_code == 404
    assert client.delete(org_url("acme", f"cycles/{globex_cycle.pk}/")).status_code == 404
    assert Cycle.objects.filter(pk=globex_cycle.pk).exists()
