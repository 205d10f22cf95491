"""The pages cost the same number of queries for 10 objectives as for 1,000."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from okr.models import CheckIn, KeyResult, Level, Objective, ProgressSource
from tests.okr.views.conftest import HTMX, url

# Each page reads its organization, then the membership under that tenant (row-level
# security, docs/architecture.md): one query more than a single join would take.
DASHBOARD_QUERIES = 16  # with the cycle summary's two
TREE_QUERIES = 16
OBJECTIVE_QUERIES = 14
REVIEW_QUERIES = 11


@pytest.fixture(params=[10, 1000], ids=["10-objectives", "1000-objectives"])
def big(request, acme_cycle, alice, mark, platform_team):
    """A company objective whose aligned key result ``n`` team objectives support, each
    with a due key result that has a check-in, beside ``n`` more company objectives."""
    n = request.param
    old = timezone.now() - datetime.timedelta(days=30)
    top = Objective.objects.create(
        organization=acme_cycle.organization,
        cycle=acme_cycle,
        title="Top",
        level=Level.COMPANY,
        owner=alice.user,
    )
    top_kr = KeyResult.objects.create(
        organization=top.organization,
        objective=top,
        title="Aligned",
        owner=alice.user,
        target_value=Decimal(100),
        progress_source=ProgressSource.ALIGNED,
    )
    common = {"organization": top.organization, "cycle": acme_cycle, "owner": mark.user}
    teams = Objective.objects.bulk_create(
        Objective(
            title=f"Team {i}",
            level=Level.TEAM,
            team=platform_team,
            parent_key_result=top_kr,
            **common,
        )
        for i in range(n)
    )
    Objective.objects.bulk_create(
        Objective(title=f"Company {i}", level=Level.COMPANY, **common) for i in range(n)
    )
    key_results = KeyResult.objects.bulk_create(
        KeyResult(
            organization=top.organization,
            objective=team,
            title=f"KR {team.title}",
            owner=mark.user,
            target_value=Decimal(10),
            created_at=old,
        )
        for team in teams
    )
    CheckIn.objects.bulk_create(
        CheckIn(
            organization=top.organization,
            key_result=kr,
            author=mark.user,
            value=Decimal(1),
            confidence="on_track",
            created_at=old,
        )
        for kr in key_results[:50]
    )
    return top


def test_the_dashboard_costs_the_same_whatever_the_size(
    big, as_user, mark, django_assert_max_num_queries
):
    client = as_user(mark)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(url("dashboard"))
    assert response.status_code == 200
    assert "Company 9" in response.content.decode()
    assert "due-key-result-" in response.content.decode()
    assert 'id="cycle-health"' in response.content.decode()
    assert 'id="behind-objective-' in response.content.decode()
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        fragment = client.get(url("dashboard") + "?part=health", **HTMX)
    assert fragment.content.decode().lstrip().startswith('<section id="cycle-health"')


def test_the_tree_costs_the_same_whatever_the_size(
    big, as_user, mark, django_assert_max_num_queries
):
    client = as_user(mark)
    with django_assert_max_num_queries(TREE_QUERIES):
        response = client.get(url("tree"))
    assert "KR Team 9" in response.content.decode()


def test_the_objective_page_costs_the_same_whatever_the_size(
    big, as_user, mark, django_assert_max_num_queries
):
    client = as_user(mark)
    with django_assert_max_num_queries(OBJECTIVE_QUERIES):
        response = client.get(url("objective_detail", pk=big.pk))
    assert "Team 9" in response.content.decode()
    with django_assert_max_num_queries(OBJECTIVE_QUERIES):
        client.get(url("objective_detail", pk=big.pk), **HTMX)


def test_the_review_page_costs_the_same_whatever_the_size(
    big, as_user, mark, acme_cycle, django_assert_max_num_queries
):
    client = as_user(mark)
    with django_assert_max_num_queries(REVIEW_QUERIES):
        response = client.get(url("cycle_review", cycle_id=acme_cycle.pk))
    html = response.content.decode()
    assert "Team 9" in html and "KR Team 9" in html
    assert html.count("Update grade") + html.count(">Grade<") >= 10
