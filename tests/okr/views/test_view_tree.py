"""The cascade tree: roots, key results, supporting objectives; lazy subtrees; filters."""

from __future__ import annotations

from decimal import Decimal

import pytest

from okr import services
from okr.models import Level
from tests.okr.views.conftest import HTMX, url


@pytest.fixture
def deeper(world, emma, run_on_commit):
    """Emma's personal objective supports the team's key result: a third level."""
    with run_on_commit():
        personal = services.objective_create(
            actor=emma,
            cycle=world.team.cycle,
            title="Ship the importer",
            level=Level.PERSONAL,
            parent_key_result=world.team_kr,
        )
        services.key_result_create(
            actor=emma, objective=personal, title="Importer demos", target_value=Decimal(3)
        )
    return personal


def test_it_nests_key_results_and_the_objectives_that_support_them(world, as_user, emma):
    html = as_user(emma).get(url("tree")).content.decode()
    company = html.index("Delight customers")
    company_kr = html.index("Teams ship what customers ask for")
    team = html.index("Ship the roadmap")
    team_kr = html.index("Features shipped")
    assert company < company_kr < team < team_kr
    assert "Learn Django" in html  # a root of its own


def test_it_shows_a_private_objective_only_as_private_with_its_progress(world, as_user, emma):
    html = as_user(emma).get(url("tree")).content.decode()
    assert "Private objective" in html
    assert "Acquire Globex" not in html
    assert f'id="tree-objective-{world.secret.pk}"' in html


def test_it_shows_the_private_objective_to_an_admin(world, as_user, alice):
    html = as_user(alice).get(url("tree")).content.decode()
    assert "Acquire Globex" in html


def test_it_leaves_deeper_subtrees_to_load_on_demand_and_counts_them(world, deeper, as_user, emma):
    html = as_user(emma).get(url("tree")).content.decode()
    branch = url("tree_branch", pk=world.team_kr.pk)
    assert "Ship the importer" not in html
    assert f'hx-get="{branch}?depth=3"' in html
    assert f'href="{branch}"' in html  # works without JavaScript
    assert "1 objective that support" in html or "Show the 1 objective" in html


def test_it_loads_a_subtree_as_a_fragment_for_htmx_and_a_page_otherwise(
    world, deeper, as_user, emma
):
    client = as_user(emma)
    branch = url("tree_branch", pk=world.team_kr.pk)
    fragment = client.get(branch + "?depth=3", **HTMX).content.decode()
    assert "Ship the importer" in fragment and "Importer demos" in fragment
    assert "<html" not in fragment
    assert "--depth: 4" in fragment
    page = client.get(branch).content.decode()
    assert "<html" in page and "Ship the importer" in page


def test_it_answers_htmx_with_the_tree_fragment(world, as_user, emma):
    html = as_user(emma).get(url("tree"), **HTMX).content.decode()
    assert html.lstrip().startswith('<section id="tree"')
    assert "<html" not in html


def test_it_filters_by_team(world, as_user, emma, platform_team):
    html = as_user(emma).get(url("tree") + f"?team={platform_team.pk}").content.decode()
    assert "Ship the roadmap" in html
    assert "Delight customers" not in html
    assert "Learn Django" not in html


def test_it_filters_by_owner_without_revealing_private_objectives(world, as_user, emma, alice):
    html = as_user(emma).get(url("tree") + f"?owner={alice.user_id}").content.decode()
    assert "Delight customers" in html
    assert "Private objective" not in html
    assert "Ship the roadmap" not in html


def test_it_hides_a_private_objectives_key_results_branch(world, as_user, alice, emma):
    with_secret_kr = services.key_result_create(
        actor=alice, objective=world.secret, title="Term sheet", target_value=Decimal(1)
    )
    response = as_user(emma).get(url("tree_branch", pk=with_secret_kr.pk))
    assert response.status_code == 404


def test_it_does_not_exist_for_another_organization(world, as_user, oscar, globex):
    client = as_user(oscar)
    assert client.get(url("tree")).status_code == 404
    response = client.get(url("tree_branch", org="globex", pk=world.company_kr.pk))
    assert response.status_code == 404


def test_it_sends_anonymous_visitors_to_log_in(world, client):
    assert client.get(url("tree")).status_code == 302
