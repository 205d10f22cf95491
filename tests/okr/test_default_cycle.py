"""The cycle a page shows when none is asked for: the current one, else the newest.

Pages that have read the organization's cycles already choose among them
without a query; the choice must be the same as the query's.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from okr import selectors
from okr.models import CycleStatus
from tests.factories import CycleFactory

TODAY = timezone.now().date()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def both_ways(membership):
    by_query = selectors.default_cycle(membership)
    by_list = selectors.default_cycle(membership, list(selectors.cycles_of(membership)))
    assert by_query == by_list
    return by_query


def test_the_active_cycle_around_today_with_the_latest_start(alice):
    org = alice.organization
    CycleFactory(organization=org, name="Year", start_date=days(-100), end_date=days(200))
    CycleFactory(organization=org, name="Quarter", start_date=days(-10), end_date=days(80))
    CycleFactory(organization=org, name="Next", start_date=days(90), end_date=days(180))

    assert both_ways(alice).name == "Quarter"


def test_a_closed_or_planned_cycle_around_today_is_not_current(alice):
    org = alice.organization
    CycleFactory(organization=org, name="Old", start_date=days(-200), end_date=days(-110))
    CycleFactory(
        organization=org,
        name="Closed early",
        start_date=days(-10),
        end_date=days(80),
        status=CycleStatus.CLOSED,
    )
    CycleFactory(organization=org, name="Around", start_date=days(-50), end_date=days(40))

    assert both_ways(alice).name == "Around"


@pytest.mark.parametrize("status", [CycleStatus.CLOSED, CycleStatus.PLANNING])
def test_without_a_current_cycle_the_newest(alice, status):
    org = alice.organization
    CycleFactory(
        organization=org, name="Q1", start_date=days(-200), end_date=days(-110), status=status
    )
    CycleFactory(
        organization=org, name="Q3", start_date=days(20), end_date=days(110), status=status
    )

    assert both_ways(alice).name == "Q3"


def test_the_same_start_goes_to_the_later_cycle(alice):
    org = alice.organization
    CycleFactory(organization=org, name="First", start_date=days(-5), end_date=days(85))
    CycleFactory(organization=org, name="Second", start_date=days(-5), end_date=days(85))

    assert both_ways(alice).name == "Second"


def test_no_cycle_at_all(alice):
    assert both_ways(alice) is None
