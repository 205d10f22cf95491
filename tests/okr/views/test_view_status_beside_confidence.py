"""The tree and the objective page show the computed status beside the owner's confidence.

The cycle is a third over (expected pace 33.33%). Emma checks in 3 of 10 on
"Features shipped" (30%, 3 points behind: on track) but says she is at risk:
both signals show, each with its own words. See docs/pace-and-grades.md.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from okr import services
from okr.models import CheckIn
from tests.okr.views.conftest import HTMX, url

STATUS_ON_TRACK = (
    '<span class="badge badge-on-track" title="What the numbers say: progress against the'
    ' expected pace"><span class="sr-only">Status by the numbers: </span>On track</span>'
)
CONFIDENCE_AT_RISK = '<span class="sr-only">Owner\'s confidence: </span>At risk</span>'


def _check_in(world, emma, run_on_commit, value=3):
    with run_on_commit():
        services.check_in_record(
            actor=emma, key_result=world.team_kr, value=Decimal(value), confidence="at_risk"
        )


def test_the_objective_page_shows_both_signals_on_the_objective_and_the_key_result(
    world, as_user, emma, run_on_commit
):
    _check_in(world, emma, run_on_commit)
    html = as_user(emma).get(url("objective_detail", pk=world.team.pk)).content.decode()
    header = html.split('id="objective-header"')[1].split("</header>")[0]
    assert STATUS_ON_TRACK in header and CONFIDENCE_AT_RISK in header
    assert 'Expected by now: <span class="tabular">33.33%</span>' in header
    row = html.split(f'id="key-result-{world.team_kr.pk}"')[1].split("</li>")[0]
    assert STATUS_ON_TRACK in row and CONFIDENCE_AT_RISK in row


def test_the_objective_header_fragment_keeps_the_status(world, as_user, emma, run_on_commit):
    _check_in(world, emma, run_on_commit)
    html = as_user(emma).get(url("objective_detail", pk=world.team.pk), **HTMX).content.decode()
    assert html.lstrip().startswith('<header id="objective-header"')
    assert STATUS_ON_TRACK in html


def test_a_key_result_far_behind_the_pace_is_off_track(world, as_user, emma, run_on_commit):
    _check_in(world, emma, run_on_commit, value=1)  # 10%: 23 points behind
    html = as_user(emma).get(url("objective_detail", pk=world.team.pk)).content.decode()
    row = html.split(f'id="key-result-{world.team_kr.pk}"')[1].split("</li>")[0]
    assert "badge badge-at-risk" in row


def test_the_tree_shows_the_status_of_objectives_and_key_results(
    world, as_user, emma, run_on_commit
):
    _check_in(world, emma, run_on_commit)
    html = as_user(emma).get(url("tree")).content.decode()
    team_row = html.split(f'id="tree-objective-{world.team.pk}"')[1].split("</summary>")[0]
    assert STATUS_ON_TRACK in team_row and CONFIDENCE_AT_RISK in team_row
    kr_row = html.split(f'id="tree-key-result-{world.team_kr.pk}"')[1].split("</li>")[0]
    assert STATUS_ON_TRACK in kr_row
    personal_row = html.split(f'id="tree-objective-{world.personal.pk}"')[1].split("</summary>")[0]
    assert "badge badge-off-track" in personal_row  # 0% with a third of the cycle gone


def test_the_tree_hides_the_status_of_an_objective_it_hides(world, as_user, emma):
    html = as_user(emma).get(url("tree")).content.decode()
    private_row = html.split(f'id="tree-objective-{world.secret.pk}"')[1].split("</li>")[0]
    assert "badge" not in private_row and "Private objective" in private_row


def test_the_chart_draws_the_forecast_of_two_check_ins(world, as_user, emma, run_on_commit):
    _check_in(world, emma, run_on_commit, value=2)
    earlier = timezone.now() - datetime.timedelta(days=10)
    CheckIn.objects.filter(key_result=world.team_kr).update(created_at=earlier)
    _check_in(world, emma, run_on_commit, value=4)
    html = as_user(emma).get(url("objective_detail", pk=world.team.pk)).content.decode()
    row = html.split(f'id="key-result-{world.team_kr.pk}"')[1].split("</li>")[0]
    assert 'class="chart-forecast"' in row
    assert "Dotted: the trend of the check-ins, forecast to reach" in row
