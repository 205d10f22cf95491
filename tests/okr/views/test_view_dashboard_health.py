"""The dashboard answers "are we on track?" first: pace, counts by status, check-in rate,
the objectives furthest behind, then what I owe. See docs/pages.md.

Q4 2026 is a third gone (expected pace 33.33%). Emma checks in 4 of 10 on
"Features shipped": Mark's Platform objective is at 40%; Alice's company
objective is at 20% (its aligned key result also counts the private "Acquire
Globex", at 0%); Emma's personal objective has no key results (0%).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from okr import services
from okr.models import CycleStatus
from tests.factories import CycleFactory
from tests.okr.views.conftest import HTMX, url


@pytest.fixture
def checked_in(world, emma, run_on_commit):
    with run_on_commit():
        services.check_in_record(
            actor=emma, key_result=world.team_kr, value=Decimal(4), confidence="at_risk"
        )
    return world


def test_it_shows_overall_progress_against_the_pace_line(checked_in, as_user, mark):
    html = as_user(mark).get(url("dashboard")).content.decode()
    health = section_of(html, "cycle-health")
    assert "Are we on track?" in health
    # The visible company objectives' mean: "Delight customers" at 20% (Mark cannot see
    # "Acquire Globex").
    assert 'id="overall-progress">20%' in health
    assert 'Expected by today: <strong class="tabular">33.33%</strong>' in health
    assert 'class="pace-fill status-fill-at-risk" x="0" y="2" width="20.0"' in health
    assert 'class="pace-mark" x1="33.33"' in health


def test_it_counts_key_results_and_objectives_by_status_in_one_stacked_bar(
    checked_in, as_user, mark
):
    html = as_user(mark).get(url("dashboard")).content.decode()
    key_results = html.split('id="status-counts-key-results"')[1].split("</ul>")[0]
    assert "<h3>2 key results</h3>" in key_results
    assert 'class="status-bar"' in key_results
    assert "On track <strong>1</strong>" in key_results  # Features shipped, 40%
    assert "At risk <strong>1</strong>" in key_results  # the aligned one, 20%
    objectives = html.split('id="status-counts-objectives"')[1].split("</ul>")[0]
    assert "<h3>3 objectives</h3>" in objectives
    assert "On track <strong>1</strong>" in objectives
    assert "At risk <strong>1</strong>" in objectives
    assert "Off track <strong>1</strong>" in objectives  # Learn Django, 0%


def test_it_says_how_many_key_results_were_checked_in_within_the_cadence(checked_in, as_user, mark):
    html = as_user(mark).get(url("dashboard")).content.decode()
    rate = html.split('id="check-in-rate"')[1].split("</div>")[0]
    assert '<span class="health-figure">100%</span>' in rate
    assert "within the last 7 days" in rate


def test_it_lists_the_objectives_furthest_behind_with_their_gap(checked_in, as_user, emma):
    html = as_user(emma).get(url("dashboard")).content.decode()
    behind = section_of(html, "behind")
    learn = url("objective_detail", pk=checked_in.personal.pk)
    assert f'href="{learn}">Learn Django</a>' in behind
    assert "−33 pts" in behind and "−13 pts" in behind
    assert behind.index("Learn Django") < behind.index("Delight customers")
    assert "Ship the roadmap" not in behind  # ahead of pace


def test_it_keeps_the_due_list_and_a_short_activity_feed(checked_in, as_user, emma):
    html = as_user(emma).get(url("dashboard")).content.decode()
    assert "Due for check-in" in html
    assert html.index('id="cycle-health"') < html.index('id="behind"') < html.index('id="due"')


def test_htmx_refreshes_the_health_card_alone(checked_in, as_user, mark):
    response = as_user(mark).get(url("dashboard") + "?part=health&poll=1", **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="cycle-health"')
    assert "<html" not in html and 'id="overall-progress">20%' in html
    assert "part=health&amp;poll=2" in html


def test_a_cycle_near_its_end_links_to_its_review(world, as_user, mark, acme):
    ending = CycleFactory(
        organization=acme,
        name="Ending",
        start_date=datetime.date.today() - datetime.timedelta(days=80),
        end_date=datetime.date.today() + datetime.timedelta(days=5),
    )
    html = as_user(mark).get(url("dashboard") + f"?cycle={ending.pk}").content.decode()
    assert f'href="{url("cycle_review", cycle_id=ending.pk)}"' in html
    html = as_user(mark).get(url("dashboard")).content.decode()
    assert "/review/" not in html  # two months to go


def test_a_closed_cycle_links_to_its_review(world, as_user, mark, acme_cycle):
    acme_cycle.status = CycleStatus.CLOSED
    acme_cycle.save()
    html = as_user(mark).get(url("dashboard") + f"?cycle={acme_cycle.pk}").content.decode()
    assert f'href="{url("cycle_review", cycle_id=acme_cycle.pk)}"' in html
    assert "Expected by the end" in html


def section_of(html: str, element_id: str) -> str:
    return html.split(f'id="{element_id}"')[1].split("</section>")[0]
