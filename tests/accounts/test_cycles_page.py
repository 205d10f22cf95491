"""The cycles page: create, edit, activate, close, reopen and delete, admins only."""

from __future__ import annotations

import datetime

import pytest

from okr.models import Cycle, CycleStatus
from tests.factories import CycleFactory, ObjectiveFactory

CYCLES = "/o/acme/admin/cycles/"


def test_an_organization_without_cycles_is_taught_to_create_one(client_of, alice):
    content = client_of(alice).get(CYCLES).content.decode()

    assert "Create a cycle" in content


def test_it_creates_a_cycle_in_planning(client_of, alice):
    response = client_of(alice).post(
        CYCLES, {"name": "Q1 2027", "start_date": "2027-01-01", "end_date": "2027-03-31"}
    )

    assert response["Location"] == CYCLES
    cycle = Cycle.objects.get(name="Q1 2027")
    assert cycle.status == CycleStatus.PLANNING
    assert cycle.end_date == datetime.date(2027, 3, 31)


def test_it_refuses_a_cycle_that_ends_before_it_starts_and_keeps_the_input(client_of, alice):
    response = client_of(alice).post(
        CYCLES, {"name": "Backwards", "start_date": "2027-03-31", "end_date": "2027-01-01"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["end_date"] == ["The cycle must end after it starts."]
    content = response.content.decode()
    assert 'value="Backwards"' in content and 'value="2027-03-31"' in content
    assert not Cycle.objects.filter(name="Backwards").exists()


def test_it_activates_closes_and_reopens_a_cycle(client_of, alice, acme):
    cycle = CycleFactory(organization=acme, status=CycleStatus.PLANNING)
    client = client_of(alice)
    url = f"/o/acme/admin/cycles/{cycle.pk}/status/"

    for status in (CycleStatus.ACTIVE, CycleStatus.CLOSED, CycleStatus.ACTIVE):
        response = client.post(url, {"status": status})
        assert response["Location"] == CYCLES
        cycle.refresh_from_db()
        assert cycle.status == status


def test_htmx_gets_the_cycle_row_alone(client_of, alice, acme_cycle, htmx_headers):
    response = client_of(alice).post(
        f"/o/acme/admin/cycles/{acme_cycle.pk}/status/", {"status": "closed"}, headers=htmx_headers
    )

    content = response.content.decode().strip()
    assert content.startswith(f'<tr id="cycle-{acme_cycle.pk}"')
    assert "Reopen" in content
    assert "<html" not in content


def test_it_edits_a_cycle(client_of, alice, acme_cycle):
    url = f"/o/acme/admin/cycles/{acme_cycle.pk}/edit/"

    response = client_of(alice).post(
        url, {"name": "Q4 2026 (extended)", "start_date": "2026-10-01", "end_date": "2027-01-15"}
    )

    assert response["Location"] == CYCLES
    acme_cycle.refresh_from_db()
    assert acme_cycle.name == "Q4 2026 (extended)"


def test_a_closed_cycle_only_changes_its_status(client_of, alice, acme_cycle):
    acme_cycle.status = CycleStatus.CLOSED
    acme_cycle.save()

    response = client_of(alice).post(
        f"/o/acme/admin/cycles/{acme_cycle.pk}/edit/",
        {"name": "Renamed", "start_date": "2026-10-01", "end_date": "2026-12-31"},
    )

    assert response.status_code == 200
    assert "reopen it first" in response.content.decode()
    acme_cycle.refresh_from_db()
    assert acme_cycle.name == "Q4 2026"


def test_it_deletes_an_empty_cycle_after_confirmation(client_of, alice, acme_cycle):
    url = f"/o/acme/admin/cycles/{acme_cycle.pk}/delete/"
    client = client_of(alice)

    assert "Delete cycle" in client.get(url).content.decode()
    response = client.post(url)

    assert response["Location"] == CYCLES
    assert not Cycle.objects.filter(pk=acme_cycle.pk).exists()


def test_a_cycle_with_objectives_is_not_deleted_and_the_page_says_why(client_of, alice, acme_cycle):
    ObjectiveFactory(cycle=acme_cycle)

    response = client_of(alice).post(f"/o/acme/admin/cycles/{acme_cycle.pk}/delete/")

    assert response.status_code == 200
    assert "has objectives" in response.content.decode()
    assert Cycle.objects.filter(pk=acme_cycle.pk).exists()


@pytest.mark.parametrize("person", ["mark", "emma"])
def test_only_admins_manage_cycles(client_of, request, person, acme_cycle):
    client = client_of(request.getfixturevalue(person))

    assert client.get(CYCLES).status_code == 403
    response = client.post(f"/o/acme/admin/cycles/{acme_cycle.pk}/status/", {"status": "closed"})
    assert response.status_code == 403
    acme_cycle.refresh_from_db()
    assert acme_cycle.status == CycleStatus.ACTIVE


def test_oscar_gets_a_404_on_acme_s_cycles_even_through_globex(client_of, oscar, acme_cycle):
    client = client_of(oscar)

    assert client.get(CYCLES).status_code == 404
    assert client.post(f"/o/globex/admin/cycles/{acme_cycle.pk}/delete/").status_code == 404
    assert Cycle.objects.filter(pk=acme_cycle.pk).exists()
