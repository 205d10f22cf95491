"""Copies made by a roll-over link to their source, on the objective page and the key result row."""

from __future__ import annotations

import datetime
from decimal import Decimal

from okr.models import CycleStatus, KeyResult, Objective
from tests.factories import CycleFactory
from tests.okr.views.conftest import url


def test_a_copy_links_to_its_source_objective_and_key_result(world, as_user, emma, acme):
    q1 = CycleFactory(
        organization=acme,
        name="Q1 2027",
        start_date=world.team.cycle.end_date + datetime.timedelta(days=1),
        end_date=world.team.cycle.end_date + datetime.timedelta(days=90),
        status=CycleStatus.PLANNING,
    )
    copy = Objective.objects.create(
        organization=acme,
        cycle=q1,
        title=world.team.title,
        level=world.team.level,
        team=world.team.team,
        owner=world.team.owner,
        rolled_over_from=world.team,
    )
    kr_copy = KeyResult.objects.create(
        organization=acme,
        objective=copy,
        title=world.team_kr.title,
        owner=world.team_kr.owner,
        start_value=Decimal(4),
        current_value=Decimal(4),
        target_value=Decimal(10),
        rolled_over_from=world.team_kr,
    )
    html = as_user(emma).get(url("objective_detail", pk=copy.pk)).content.decode()
    source = url("objective_detail", pk=world.team.pk)
    header = html.split('id="objective-header"')[1].split("</header>")[0]
    assert "Rolled over from" in header and f'href="{source}">Ship the roadmap</a>' in header
    row = html.split(f'id="key-result-{kr_copy.pk}"')[1].split("</li>")[0]
    assert f'href="{source}#key-result-{world.team_kr.pk}"' in row
    assert "in Q4 2026" in row


def test_an_original_says_nothing_of_roll_overs(world, as_user, emma):
    html = as_user(emma).get(url("objective_detail", pk=world.team.pk)).content.decode()
    assert "Rolled over from" not in html
