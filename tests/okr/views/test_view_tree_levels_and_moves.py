"""The tree groups its roots by level; moves offer only what can happen and say when nothing did."""

from __future__ import annotations

from decimal import Decimal

from okr import services
from okr.models import KeyResult, Level, Objective
from tests.okr.views.conftest import HTMX, url


def test_it_groups_the_roots_company_then_team_then_personal(
    world, acme_cycle, platform_team, as_user, alice, mark
):
    # A team objective of its own and Emma's personal one sit at position 0, before the company's.
    services.objective_create(
        actor=mark, cycle=acme_cycle, title="Tidy the backlog", level=Level.TEAM, team=platform_team
    )
    Objective.objects.filter(pk=world.company.pk).update(position=9)
    html = as_user(alice).get(url("tree")).content.decode()
    company = html.index(f'id="tree-objective-{world.company.pk}"')
    team = html.index("Tidy the backlog")
    personal = html.index(f'id="tree-objective-{world.personal.pk}"')
    assert company < team < personal
    headings = [html.index(f'id="tree-level-{level}"') for level in ("company", "team", "personal")]
    assert headings[0] < company < headings[1] < team < headings[2] < personal


def test_the_first_key_result_offers_no_move_up_and_the_last_no_move_down(world, as_user, mark):
    services.key_result_create(
        actor=mark, objective=world.team, title="Bugs closed", target_value=Decimal(40)
    )
    html = as_user(mark).get(url("objective_detail", pk=world.team.pk)).content.decode()
    first = html.split('id="key-result-')[1]
    last = html.split('id="key-result-')[2]
    assert "Features shipped" in first and 'value="up"' not in first and 'value="down"' in first
    assert "Bugs closed" in last and 'value="up"' in last and 'value="down"' not in last


def test_an_only_objective_offers_no_move_at_all(world, as_user, emma):
    html = as_user(emma).get(url("objective_detail", pk=world.personal.pk)).content.decode()
    assert "Move up" not in html and "Move down" not in html


def test_a_move_that_can_do_nothing_says_so(world, as_user, mark):
    client = as_user(mark)
    response = client.post(url("key_result_move", pk=world.team_kr.pk), {"direction": "up"}, **HTMX)
    assert "“Features shipped” is already first among its siblings: nothing moved." in (
        response.content.decode()
    )
    response = client.post(
        url("objective_move", pk=world.team.pk), {"direction": "down"}, follow=True
    )
    assert "“Ship the roadmap” is already last among its siblings: nothing moved." in (
        response.content.decode()
    )
    assert KeyResult.objects.get(pk=world.team_kr.pk).position == 0
