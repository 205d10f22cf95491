"""Aligning under a measured key result adds nothing to it: the pages say so where the link
is made and in the tree, and offer those who may edit it to make the key result aligned."""

from __future__ import annotations

import pytest

from okr import services
from okr.models import KeyResult, Level, ProgressSource
from tests.okr.views.conftest import HTMX, url

UNCOUNTED = "linked, not counted"


@pytest.fixture
def under_measured(world, emma, acme_cycle):
    """Emma's personal objective, linked to the measured "Features shipped"."""
    return services.objective_create(
        actor=emma,
        cycle=acme_cycle,
        title="Ship two features myself",
        level=Level.PERSONAL,
        parent_key_result=world.team_kr,
    )


def test_the_tree_says_linked_not_counted_under_a_measured_key_result(
    world, under_measured, as_user, alice
):
    html = as_user(alice).get(url("tree")).content.decode()
    measured = html.split(f'id="tree-key-result-{world.team_kr.pk}"')[1].split("</div>")[0]
    aligned = html.split(f'id="tree-key-result-{world.company_kr.pk}"')[1].split("</div>")[0]
    assert UNCOUNTED in measured and UNCOUNTED not in aligned
    team = html.split(f'id="tree-objective-{world.team.pk}"')[1].split("</div>")[0]
    assert UNCOUNTED not in team  # it supports an aligned key result: counted


def test_the_branch_loaded_on_demand_says_it_too(world, under_measured, as_user, alice):
    response = as_user(alice).get(url("tree_branch", pk=world.team_kr.pk) + "?depth=3", **HTMX)
    html = response.content.decode()
    child = html.split(f'id="tree-objective-{under_measured.pk}"')[1].split("</div>")[0]
    assert UNCOUNTED in child


def test_the_objective_page_says_it_and_offers_the_switch_to_those_who_may_edit(
    world, under_measured, as_user, emma, mark
):
    member_view = as_user(emma).get(url("objective_detail", pk=under_measured.pk)).content.decode()
    assert UNCOUNTED in member_view and "“Features shipped” is measured" in member_view
    assert 'name="progress_source" value="aligned"' not in member_view  # Emma may not edit it

    manager_view = as_user(mark).get(url("objective_detail", pk=under_measured.pk)).content.decode()
    assert 'name="progress_source" value="aligned"' in manager_view
    team_page = as_user(mark).get(url("objective_detail", pk=world.team.pk)).content.decode()
    supporters = team_page.split("Supported by")[1].split("</div>")[0]
    assert UNCOUNTED in supporters and "Make “Features shipped” aligned" in supporters


def test_the_switch_makes_the_key_result_count_its_supporters(
    world, under_measured, as_user, mark, run_on_commit
):
    page = url("objective_detail", pk=under_measured.pk)
    with run_on_commit():
        response = as_user(mark).post(
            url("key_result_edit", pk=world.team_kr.pk),
            {"progress_source": "aligned", "next": page},
        )
    assert response.status_code == 302 and response["Location"] == page
    key_result = KeyResult.objects.get(pk=world.team_kr.pk)
    assert key_result.progress_source == ProgressSource.ALIGNED
    assert key_result.title == "Features shipped" and key_result.target_value == 10
    html = as_user(mark).get(page).content.decode()
    assert UNCOUNTED not in html


def test_the_alignment_picker_marks_measured_key_results(world, as_user, mark):
    response = as_user(mark).get(url("key_result_options") + "?parent_key_result=e", **HTMX)
    html = response.content.decode()
    options = html.split("</option>")
    measured = next(option for option in options if "Features shipped" in option)
    aligned = next(option for option in options if "Teams ship what customers" in option)
    assert "measured: linked, not counted" in measured
    assert "not counted" not in aligned
    form = as_user(mark).get(url("objective_create")).content.decode()
    assert "Only an aligned key result counts the objectives below it" in form
