"""Closing a cycle: one page, the unfinished key results ticked, a target cycle, one button.

Alice (admin) closes Q4 2026. Emma's "Features shipped" (4 of 10) and Alice's
"Trials started" (0 of 50) are unfinished; "Docs written" is done. Q1 2027 is
in planning, Q3 2026 closed. See docs/pages.md.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from okr import services
from okr.models import CycleStatus, KeyResult, Level, Objective
from tests.factories import CycleFactory
from tests.okr.views.conftest import url


def close_url(cycle) -> str:
    return url("admin_cycle_close", cycle_id=cycle.pk)


@pytest.fixture
def q1(acme, acme_cycle):
    return CycleFactory(
        organization=acme,
        name="Q1 2027",
        start_date=acme_cycle.end_date + datetime.timedelta(days=1),
        end_date=acme_cycle.end_date + datetime.timedelta(days=91),
        status=CycleStatus.PLANNING,
    )


@pytest.fixture
def q3(acme, acme_cycle):
    return CycleFactory(
        organization=acme,
        name="Q3 2026",
        start_date=acme_cycle.start_date - datetime.timedelta(days=92),
        end_date=acme_cycle.start_date - datetime.timedelta(days=1),
        status=CycleStatus.CLOSED,
    )


@pytest.fixture
def ending(world, alice, emma, run_on_commit):
    with run_on_commit():
        services.check_in_record(
            actor=emma, key_result=world.team_kr, value=Decimal(4), confidence="at_risk"
        )
        trials = services.key_result_create(
            actor=alice, objective=world.company, title="Trials started", target_value=Decimal(50)
        )
        docs = services.key_result_create(
            actor=alice, objective=world.company, title="Docs written", target_value=Decimal(1)
        )
        services.check_in_record(
            actor=alice, key_result=docs, value=Decimal(1), confidence="on_track"
        )
    return world, trials, docs


def test_it_lists_the_unfinished_key_results_ticked_and_the_open_cycles(
    ending, as_user, alice, acme_cycle, q1, q3
):
    world, trials, docs = ending
    response = as_user(alice).get(close_url(acme_cycle))
    assert response.status_code == 200
    html = response.content.decode()
    for kr in (world.team_kr, trials):
        assert f'name="key_results" value="{kr.pk}" checked' in html
    assert f'value="{docs.pk}"' not in html  # done: nothing to carry
    target = html.split('name="to_cycle"')[1].split("</select>")[0]
    assert f'<option value="{q1.pk}" selected>Q1 2027</option>' in target
    assert "Q3 2026" not in target and f'value="{acme_cycle.pk}"' not in target
    form = html.split('id="close-cycle-form"')[1].split("</form>")[0]
    assert form.count('type="submit"') == 1  # one primary button


def test_it_closes_and_rolls_over_the_ticked_key_results_in_one_step(
    ending, as_user, alice, acme_cycle, q1
):
    world, trials, _ = ending
    response = as_user(alice).post(
        close_url(acme_cycle), {"key_results": [world.team_kr.pk, trials.pk], "to_cycle": q1.pk}
    )
    assert response.status_code == 302
    assert response["Location"] == url("admin_cycles")
    acme_cycle.refresh_from_db()
    assert acme_cycle.status == CycleStatus.CLOSED
    copies = KeyResult.objects.filter(objective__cycle=q1).order_by("title")
    assert [(c.title, c.rolled_over_from_id) for c in copies] == [
        ("Features shipped", world.team_kr.pk),
        ("Trials started", trials.pk),
    ]
    assert copies[0].start_value == Decimal(4)
    assert Objective.objects.filter(cycle=q1, rolled_over_from=world.team).exists()


def test_unticked_key_results_stay_behind(ending, as_user, alice, acme_cycle, q1):
    _, trials, _ = ending
    as_user(alice).post(close_url(acme_cycle), {"key_results": [trials.pk], "to_cycle": q1.pk})
    assert list(KeyResult.objects.filter(objective__cycle=q1).values_list("title", flat=True)) == [
        "Trials started"
    ]


def test_nothing_ticked_just_closes(ending, as_user, alice, acme_cycle):
    response = as_user(alice).post(close_url(acme_cycle), {})
    assert response.status_code == 302
    acme_cycle.refresh_from_db()
    assert acme_cycle.status == CycleStatus.CLOSED


def test_ticks_without_a_target_keep_the_ticks_and_say_why(ending, as_user, alice, acme_cycle, q1):
    world, trials, _ = ending
    response = as_user(alice).post(close_url(acme_cycle), {"key_results": [trials.pk]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose the cycle to carry the ticked key results into." in html
    assert f'name="key_results" value="{trials.pk}" checked' in html
    assert f'name="key_results" value="{world.team_kr.pk}">' in html  # left unticked
    acme_cycle.refresh_from_db()
    assert acme_cycle.status == CycleStatus.ACTIVE


def test_a_closed_target_is_refused_and_nothing_is_written(ending, as_user, alice, acme_cycle, q3):
    _, trials, _ = ending
    response = as_user(alice).post(
        close_url(acme_cycle), {"key_results": [trials.pk], "to_cycle": q3.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    acme_cycle.refresh_from_db()
    assert acme_cycle.status == CycleStatus.ACTIVE
    assert not KeyResult.objects.filter(objective__cycle=q3).exists()


def test_a_refused_roll_over_leaves_the_cycle_open(ending, as_user, alice, acme_cycle, q1):
    _, trials, _ = ending
    client = as_user(alice)
    services.cycle_roll_over(actor=alice, cycle=acme_cycle, to_cycle=q1, key_result_ids=[trials.pk])
    before = KeyResult.objects.filter(objective__cycle=q1).count()
    response = client.post(close_url(acme_cycle), {"key_results": [trials.pk], "to_cycle": q1.pk})
    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode() or "field-error" in (
        response.content.decode()
    )
    acme_cycle.refresh_from_db()
    assert acme_cycle.status == CycleStatus.ACTIVE
    assert KeyResult.objects.filter(objective__cycle=q1).count() == before


def test_only_admins_may_close(ending, as_user, mark, acme_cycle, q1):
    client = as_user(mark)
    assert client.get(close_url(acme_cycle)).status_code == 403
    assert client.post(close_url(acme_cycle), {}).status_code == 403
    acme_cycle.refresh_from_db()
    assert acme_cycle.status == CycleStatus.ACTIVE


def test_another_organizations_cycle_is_a_404(as_user, alice, oscar, globex_cycle, acme_cycle):
    assert as_user(alice).get(close_url(globex_cycle)).status_code == 404
    assert as_user(oscar).get(close_url(acme_cycle)).status_code == 404


def test_the_cycles_page_leads_to_the_close_page(world, as_user, alice, acme_cycle):
    html = as_user(alice).get(url("admin_cycles")).content.decode()
    row = html.split(f'id="cycle-{acme_cycle.pk}"')[1].split("</tr>")[0]
    assert f'href="{close_url(acme_cycle)}"' in row
    assert 'name="status" value="closed"' not in row


def test_the_copies_link_back_to_their_source(ending, as_user, alice, emma, acme_cycle, q1):
    world, _, _ = ending
    as_user(alice).post(
        close_url(acme_cycle), {"key_results": [world.team_kr.pk], "to_cycle": q1.pk}
    )
    copy = Objective.objects.get(cycle=q1, level=Level.TEAM)
    html = as_user(emma).get(url("objective_detail", pk=copy.pk)).content.decode()
    source = url("objective_detail", pk=world.team.pk)
    assert f'href="{source}"' in html and "Rolled over from" in html
    kr_copy = copy.key_results.get()
    row = html.split(f'id="key-result-{kr_copy.pk}"')[1].split("</li>")[0]
    assert f'href="{source}#key-result-{world.team_kr.pk}"' in row


def test_it_groups_the_key_results_by_objective_company_then_team_then_personal(
    ending, as_user, alice, emma, acme_cycle
):
    world, _, _ = ending
    services.key_result_create(
        actor=emma, objective=world.personal, title="Read the docs", target_value=Decimal(5)
    )
    html = as_user(alice).get(close_url(acme_cycle)).content.decode()
    company = html.index(f'id="close-objective-{world.company.pk}"')
    team = html.index(f'id="close-objective-{world.team.pk}"')
    personal = html.index(f'id="close-objective-{world.personal.pk}"')
    assert company < team < personal
