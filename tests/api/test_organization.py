"""The organization's settings: members read them, admins change them, the slug never moves."""

from __future__ import annotations

import pytest

from tests.api.conftest import org_url

pytestmark = pytest.mark.django_db


def test_it_shows_the_organization_to_a_member(client_for, emma):
    response = client_for(emma).get(org_url("acme"))

    assert response.status_code == 200
    assert response.json() == {
        "slug": "acme",
        "name": "Acme",
        "timezone": "UTC",
        "checkin_weekday": 0,
        "checkin_hour": 9,
        "checkin_cadence_days": 7,
    }


def test_it_lets_an_admin_change_the_settings_but_not_the_slug(client_for, alice):
    response = client_for(alice).patch(
        org_url("acme"),
        {"name": "Acme Corp", "slug": "elsewhere", "timezone": "Europe/Paris", "checkin_hour": 8},
    )

    assert response.status_code == 200, response.json()
    assert response.json()["slug"] == "acme"
    assert response.json()["name"] == "Acme Corp"
    assert response.json()["timezone"] == "Europe/Paris"


@pytest.mark.parametrize(
    "change",
    [
        {"timezone": "Mars/Olympus"},
        {"checkin_weekday": 7},
        {"checkin_hour": 24},
        {"checkin_cadence_days": 0},
        {"checkin_cadence_days": 91},
        {"checkin_hour": "nine"},
        {"name": ""},
    ],
)
def test_it_refuses_invalid_settings(client_for, alice, change):
    response = client_for(alice).patch(org_url("acme"), change)

    assert response.status_code == 400
    assert set(response.json()) == set(change)


def test_it_refuses_settings_changes_to_non_admins(client_for, mark):
    response = client_for(mark).patch(org_url("acme"), {"checkin_hour": "not even a number"})

    assert response.status_code == 403
    assert "detail" in response.json()


def test_it_hides_organizations_from_strangers_and_former_members(client_for, oscar, dora):
    assert client_for(oscar).get(org_url("acme")).status_code == 404
    assert client_for(dora).get(org_url("acme")).status_code == 404
    assert client_for(oscar).get(org_url("no-such-org")).status_code == 404
