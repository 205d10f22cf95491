"""The cycles page teaches the next step.

The new-cycle form suggests the first quarter from today on that has no cycle
yet (a new organization creates its first cycle in one click, the next quarter
is one click away once this one exists), and an empty open cycle offers to
create its first objective.
"""

from __future__ import annotations

import datetime

import pytest

from okr.models import Cycle
from okr.views.admin.cycles import quarter_of
from tests.factories import CycleFactory

CYCLES = "/o/acme/admin/cycles/"


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        (
            datetime.date(2026, 1, 1),
            ("Q1 2026", datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)),
        ),
        (
            datetime.date(2026, 5, 31),
            ("Q2 2026", datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
        ),
        (
            datetime.date(2026, 9, 30),
            ("Q3 2026", datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
        ),
        (
            datetime.date(2026, 12, 31),
            ("Q4 2026", datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)),
        ),
    ],
)
def test_it_knows_the_quarter_of_a_day(day, quarter):
    assert quarter_of(day) == quarter


def suggested(client) -> dict:
    form = client.get(CYCLES).context["form"]
    return {name: form[name].value() for name in ("name", "start_date", "end_date")}


def test_a_new_organization_is_offered_the_current_quarter(client_of, alice, acme):
    name, start, end = quarter_of(acme.local_date())

    assert suggested(client_of(alice)) == {"name": name, "start_date": start, "end_date": end}


def test_once_the_quarter_exists_it_offers_the_next_one(client_of, alice, acme):
    _, start, end = quarter_of(acme.local_date())
    CycleFactory(organization=acme, start_date=start, end_date=end)
    name, next_start, next_end = quarter_of(end + datetime.timedelta(days=1))

    assert suggested(client_of(alice)) == {
        "name": name,
        "start_date": next_start,
        "end_date": next_end,
    }


def test_the_suggestion_creates_the_cycle_as_it_is(client_of, alice, acme):
    client = client_of(alice)
    html = client.get(CYCLES).content.decode()
    name, start, end = quarter_of(acme.local_date())
    assert f'value="{name}"' in html and f'value="{start.isoformat()}"' in html

    client.post(CYCLES, {"name": name, "start_date": start, "end_date": end})

    assert Cycle.objects.get(organization=acme, name=name).end_date == end


def test_what_the_admin_typed_wins_over_the_suggestion(client_of, alice):
    response = client_of(alice).post(
        CYCLES, {"name": "Backwards", "start_date": "2027-03-31", "end_date": "2027-01-01"}
    )

    assert 'value="Backwards"' in response.content.decode()


def test_an_empty_open_cycle_offers_to_create_its_first_objective(client_of, alice, acme):
    empty = CycleFactory(organization=acme, name="Q1 2027", status="active")
    closed = CycleFactory(organization=acme, name="Q1 2025", status="closed")
    html = client_of(alice).get(CYCLES).content.decode()

    assert f"/o/acme/objectives/new/?cycle={empty.pk}&amp;level=company" in html
    assert f"?cycle={closed.pk}&amp;level=company" not in html
    assert 'Create its first objective<span class="sr-only"> in Q1 2027' in html
