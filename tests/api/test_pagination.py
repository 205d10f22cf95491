"""Every list is a page, and a page costs the same queries for 10 rows or 1,000."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okr.models import Activity, CheckIn, KeyResult, Level, Objective
from tests.api.conftest import org_url
from tests.conftest import RLS_BOOKKEEPING
from tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _objectives(cycle, owner, count: int) -> list[Objective]:
    return Objective.objects.bulk_create(
        Objective(
            organization_id=cycle.organization_id,
            cycle=cycle,
            title=f"O{i}",
            level=Level.COMPANY,
            owner=owner,
            position=i % 7,
        )
        for i in range(count)
    )


def test_it_pages_by_50_by_default_and_clamps_page_size(client_for, alice, acme_cycle):
    _objectives(acme_cycle, alice.user, 120)
    client = client_for(alice)

    first = client.get(org_url("acme", "objectives/")).json()
    big = client.get(org_url("acme", "objectives/?page_size=1000")).json()
    third = client.get(org_url("acme", "objectives/?page=3")).json()

    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 120
    assert len(first["results"]) == 50
    assert first["previous"] is None
    assert "page=2" in first["next"]
    assert len(big["results"]) == 120
    assert len(third["results"]) == 20
    assert third["next"] is None


def test_it_caps_page_size_at_500(client_for, alice, acme_cycle):
    _objectives(acme_cycle, alice.user, 501)

    response = client_for(alice).get(org_url("acme", "objectives/?page_size=100000"))

    assert len(response.json()["results"]) == 500


@pytest.mark.parametrize("page", ["2", "999", "0", "-1", "x"])
def test_it_answers_404_for_a_page_out_of_range(client_for, alice, acme_cycle, page):
    _objectives(acme_cycle, alice.user, 3)

    response = client_for(alice).get(org_url("acme", f"objectives/?page={page}"))

    assert response.status_code == 404


def test_it_orders_check_ins_and_activity_newest_first(client_for, alice, company_key_result):
    client = client_for(alice)
    url = org_url("acme", f"key-results/{company_key_result.pk}/check-ins/")
    for value in range(3):
        client.post(url, {"value": value, "confidence": "on_track"})

    check_ins = client.get(url).json()["results"]
    activity = client.get(org_url("acme", "activity/")).json()["results"]

    assert [row["value"] for row in check_ins] == [2, 1, 0]
    assert [row["created_at"] for row in activity] == sorted(
        (row["created_at"] for row in activity), reverse=True
    )


def _populate(acme, acme_cycle, alice, company_key_result, count: int) -> None:
    objectives = _objectives(acme_cycle, alice.user, count)
    KeyResult.objects.bulk_create(
        KeyResult(
            organization=acme, objective=objective, title="KR", owner=alice.user, target_value=1
        )
        for objective in objectives
    )
    CheckIn.objects.bulk_create(
        CheckIn(
            organization=acme,
            key_result=company_key_result,
            author=alice.user,
            value=i,
            confidence="on_track",
        )
        for i in range(count)
    )
    Activity.objects.bulk_create(
        Activity(organization=acme, actor=alice.user, verb="created", target_type="x", summary="s")
        for _ in range(count)
    )
    teams = TeamFactory.create_batch(3, organization=acme)
    for _ in range(count // 100 + 1):
        membership = MembershipFactory(organization=acme)
        membership.teams.set(teams)


LISTS = [
    "objectives/",
    "key-results/",
    "activity/",
    "members/",
    "teams/",
    "cycles/",
    "invitations/",
]


@pytest.mark.parametrize("who", ["alice", "emma"])
def test_it_lists_in_the_same_number_of_queries_for_10_and_1000_rows(
    request, client_for, acme, acme_cycle, alice, company_key_result, who
):
    client = client_for(request.getfixturevalue(who))
    urls = [org_url("acme", path) for path in LISTS]
    urls += [org_url("acme", f"key-results/{company_key_result.pk}/check-ins/"), "/api/v1/orgs/"]
    client.get("/api/v1/me/")  # the token's last_used_at is written once a minute: now

    def queries_per_list() -> dict[str, int]:
        counts = {}
        for url in urls:
            with CaptureQueriesContext(connection) as context:
                response = client.get(f"{url}?page_size=500")
            assert response.status_code in (200, 403), url
            counts[url] = len(
                [q for q in context.captured_queries if not q["sql"].startswith(RLS_BOOKKEEPING)]
            )
        return counts

    _populate(acme, acme_cycle, alice, company_key_result, 10)
    few = queries_per_list()
    _populate(acme, acme_cycle, alice, company_key_result, 990)
    many = queries_per_list()

    assert many == few
    # The token, the organization (the tenant) and the membership, the count, the page,
    # and for members their teams; objectives add their pace (key result weights, cycle).
    assert max(few.values()) <= 7
