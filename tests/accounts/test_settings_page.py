"""The organization settings: name, time zone and the check-in schedule."""

from __future__ import annotations

import pytest

SETTINGS = "/o/acme/admin/settings/"


def settings_form(**overrides):
    data = {
        "name": "Acme Corporation",
        "timezone": "Europe/Paris",
        "checkin_weekday": "4",
        "checkin_hour": "15",
        "checkin_cadence_days": "14",
    }
    data.update(overrides)
    return data


def test_it_shows_the_current_settings(client_of, alice):
    content = client_of(alice).get(SETTINGS).content.decode()

    assert 'value="Acme"' in content
    assert '<option value="UTC" selected>' in content
    assert '<option value="America/New_York">America/New York</option>' in content


def test_it_saves_the_settings(client_of, alice, acme):
    response = client_of(alice).post(SETTINGS, settings_form())

    assert response["Location"] == SETTINGS
    acme.refresh_from_db()
    assert (acme.name, acme.timezone, acme.checkin_weekday, acme.checkin_hour) == (
        "Acme Corporation",
        "Europe/Paris",
        4,
        15,
    )
    assert acme.checkin_cadence_days == 14
    assert acme.slug == "acme"


def test_a_cadence_out_of_range_is_refused_next_to_the_field(client_of, alice, acme):
    response = client_of(alice).post(SETTINGS, settings_form(checkin_cadence_days="91"))

    assert response.status_code == 200
    assert response.context["form"].errors["checkin_cadence_days"]
    assert 'value="Acme Corporation"' in response.content.decode()
    acme.refresh_from_db()
    assert acme.name == "Acme"


def test_an_unknown_time_zone_is_refused(client_of, alice, acme):
    response = client_of(alice).post(SETTINGS, settings_form(timezone="Mars/Olympus"))

    assert response.context["form"].errors["timezone"]
    acme.refresh_from_db()
    assert acme.timezone == "UTC"


@pytest.mark.parametrize("person", ["mark", "emma"])
def test_only_admins_change_the_settings(client_of, request, person, acme):
    client = client_of(request.getfixturevalue(person))

    assert client.get(SETTINGS).status_code == 403
    assert client.post(SETTINGS, settings_form()).status_code == 403
    acme.refresh_from_db()
    assert acme.name == "Acme"


def test_oscar_gets_a_404(client_of, oscar, acme):
    assert client_of(oscar).post(SETTINGS, settings_form()).status_code == 404
    acme.refresh_from_db()
    assert acme.name == "Acme"


def test_htmx_gets_the_form_alone_and_the_new_name_for_the_top_bar(client_of, alice, acme):
    response = client_of(alice).post(SETTINGS, settings_form(), headers={"HX-Request": "true"})

    content = response.content.decode().strip()
    assert content.startswith(
        '<section class="card page-medium" style="margin: 0;" id="settings-form">'
    )
    assert "<html" not in content
    assert "The settings are saved." in content
    assert 'id="topbar-org-name" hx-swap-oob="true">Acme Corporation</span>' in content
    assert 'value="Acme Corporation"' in content


def test_the_full_page_carries_the_form_in_the_layout(client_of, alice):
    content = client_of(alice).get(SETTINGS).content.decode()

    assert "<html" in content
    assert 'id="settings-form"' in content
    assert 'id="topbar-org-name">Acme</span>' in content
