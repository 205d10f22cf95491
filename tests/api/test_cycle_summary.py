"""A cycle's health over what the caller can see (docs/pace-and-grades.md), in a fixed number of
queries whatever the organization's size."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from okr.cycle_health import cycle_summary
from okr.models import KeyResult, Level, Objective, ProgressSource, Visibility
from tests.api.conftest import org_url
from tests.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

KEYS = {"cycle", "progress", "key_results", "objectives", "checked_in_within_cadence", "behind"}
STATUSES = {"done", "on_track", "at_risk", "off_track", "not_started"}


@pytest.fixture
def halfway(acme):
    """Ten days, five gone: the pace is 50 %."""
    today = acme.local_date()
    return CycleFactory(
        organization=acme,
        start_date=today - datetime.timedelta(days=5),
        end_date=today + datetime.timedelta(days=5),
    )


def objective(cycle, owner, progress, **fields) -> Objective:
    row = ObjectiveFactory(cycle=cycle, owner=owner, **fields)
    Objective.objects.filter(pk=row.pk).update(progress=progress)
    row.progress = progress
    return row


def key_result(objective, progress, checked_in_days_ago=None, **fields) -> KeyResult:
    row = KeyResultFactory(objective=objective, **fields)
    last = None
    if checked_in_days_ago is not None:
        last = timezone.now() - datetime.timedelta(days=checked_in_days_ago)
    KeyResult.objects.filter(pk=row.pk).update(progress=progress, last_check_in_at=last)
    return row


@pytest.fixture
def story(halfway, alice, emma, paula):
    """Company objectives at 80 and 20, a team one at 45, Paula's private one far behind."""
    ahead = objective(halfway, alice.user, 80, title="Ahead")
    lagging = objective(halfway, alice.user, 20, title="Lagging")
    slightly = objective(halfway, alice.user, 45, title="Slightly", level=Level.PERSONAL)
    secret = objective(halfway, paula.user, 0, level=Level.PERSONAL, visibility=Visibility.PRIVATE)
    key_result(ahead, 100, checked_in_days_ago=1)  # done
    key_result(ahead, 60, checked_in_days_ago=6.9)  # on track, fresh
    key_result(lagging, 30, checked_in_days_ago=8)  # at risk, stale
    key_result(lagging, 10)  # off track, never checked in
    key_result(lagging, 0, progress_source=ProgressSource.ALIGNED)  # not counted as measured
    key_result(secret, 0, checked_in_days_ago=30)
    return {"ahead": ahead, "lagging": lagging, "slightly": slightly, "secret": secret}


def summary_of(client, cycle):
    response = client.get(org_url("acme", f"cycles/{cycle.pk}/summary/"))
    assert response.status_code == 200, response.json()
    return response.json()


def test_it_sums_up_what_a_member_can_see(client_for, emma, halfway, story):
    body = summary_of(client_for(emma), halfway)

    assert set(body) == KEYS
    assert body["cycle"] == halfway.pk
    assert body["progress"] == 50  # (80 + 20) / 2: company objectives only
    assert body["key_results"] == {
        "done": 1,
        "on_track": 1,
        "at_risk": 1,  # 30: gap −20
        "off_track": 2,  # 10 and the aligned 0
        "not_started": 0,
    }
    assert body["objectives"] == {
        "done": 0,
        "on_track": 2,  # 80, and 45 (gap −5)
        "at_risk": 0,
        "off_track": 1,
        "not_started": 0,
    }
    assert body["checked_in_within_cadence"] == 0.5  # 2 fresh of 4 measured
    assert body["behind"] == [story["lagging"].pk, story["slightly"].pk]


def test_it_counts_private_rows_for_those_who_see_them(client_for, paula, alice, halfway, story):
    for who in (paula, alice):
        body = summary_of(client_for(who), halfway)
        assert sum(body["objectives"].values()) == 4
        assert body["behind"][0] == story["secret"].pk  # gap −50
        assert body["checked_in_within_cadence"] == 0.4  # 2 of 5


def test_it_answers_zeros_for_an_empty_cycle(client_for, emma, acme):
    empty = CycleFactory(organization=acme)

    body = summary_of(client_for(emma), empty)

    assert body["progress"] == 0
    assert body["checked_in_within_cadence"] == 0
    assert body["behind"] == []
    assert body["key_results"] == dict.fromkeys(STATUSES, 0)
    assert body["objectives"] == dict.fromkeys(STATUSES, 0)


def test_it_keeps_the_five_furthest_behind(client_for, alice, halfway):
    rows = [objective(halfway, alice.user, progress) for progress in (5, 45, 0, 30, 10, 20, 48)]

    body = summary_of(client_for(alice), halfway)

    by_progress = {row.progress: row.pk for row in rows}
    assert body["behind"] == [by_progress[p] for p in (0, 5, 10, 20, 30)]


def test_it_hides_other_organizations_cycles(client_for, oscar, emma, globex_cycle):
    assert client_for(emma).get(org_url("acme", "cycles/999999/summary/")).status_code == 404
    url = org_url("acme", f"cycles/{globex_cycle.pk}/summary/")
    assert client_for(emma).get(url).status_code == 404
    assert client_for(oscar).get(url).status_code == 404


def test_it_needs_credentials(anonymous, halfway):
    response = anonymous.get(org_url("acme", f"cycles/{halfway.pk}/summary/"))
    assert response.status_code == 401


def test_it_reads_in_two_queries_whatever_the_size(alice, halfway, django_assert_num_queries):
    for size in (1, 12):
        for index in range(size):
            parent = objective(halfway, alice.user, index * 7 % 100)
            key_result(parent, index * 3 % 100, checked_in_days_ago=index % 10)
        with django_assert_num_queries(2):
            summary = cycle_summary(alice, halfway)
        assert sum(summary.objectives.values()) == Objective.objects.filter(cycle=halfway).count()


def test_its_query_count_through_the_api_is_flat(client_for, alice, halfway):
    client = client_for(alice)
    url = org_url("acme", f"cycles/{halfway.pk}/summary/")
    client.get(url)  # the token's first use writes its last_used_at
    counts = []
    for size in (2, 20):
        for index in range(size):
            key_result(objective(halfway, alice.user, index), index, checked_in_days_ago=1)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
