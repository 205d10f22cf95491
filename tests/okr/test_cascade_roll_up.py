"""A check-in at the bottom of the cascade moves the company objective at the top."""

from decimal import Decimal

import pytest

from okr import services
from okr.models import KeyResult, Level, Objective, ProgressSource
from okr.progress import expected_progress


@pytest.fixture
def cascade(alice, mark, emma, acme_cycle, platform_team, run_on_commit):
    with run_on_commit():
        company = services.objective_create(
            actor=alice, cycle=acme_cycle, title="Delight customers", level=Level.COMPANY
        )
        company_kr = services.key_result_create(
            actor=alice,
            objective=company,
            title="Teams ship what customers ask for",
            progress_source=ProgressSource.ALIGNED,
        )
        team = services.objective_create(
            actor=mark,
            cycle=acme_cycle,
            title="Ship the roadmap",
            level=Level.TEAM,
            team=platform_team,
            parent_key_result=company_kr,
        )
        team_kr = services.key_result_create(
            actor=mark,
            objective=team,
            title="Features shipped",
            target_value=Decimal(10),
            owner=emma.user,
        )
    return company, company_kr, team, team_kr


def test_it_rolls_a_check_in_up_to_the_company(cascade, emma, run_on_commit):
    company, company_kr, team, team_kr = cascade
    with run_on_commit():
        services.check_in_record(
            actor=emma, key_result=team_kr, value=Decimal(4), confidence="at_risk"
        )

    team_kr.refresh_from_db()
    assert team_kr.progress == 40.0
    assert team_kr.current_value == 4
    assert team_kr.confidence == "at_risk"
    assert Objective.objects.get(pk=team.pk).progress == 40.0
    assert KeyResult.objects.get(pk=company_kr.pk).progress == 40.0
    assert Objective.objects.get(pk=company.pk).progress == 40.0


def test_it_keeps_every_cached_value_equal_to_a_recomputation(cascade, emma, acme, run_on_commit):
    *_, team_kr = cascade
    with run_on_commit():
        services.check_in_record(
            actor=emma, key_result=team_kr, value=Decimal(7), confidence="on_track"
        )
    objectives, key_results = expected_progress(acme.pk)
    assert objectives == dict(Objective.objects.values_list("pk", "progress"))
    assert key_results == dict(KeyResult.objects.values_list("pk", "progress"))
