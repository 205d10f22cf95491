"""Grades and roll-overs as services (docs/pace-and-grades.md): what the pages and the API share."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from accounts.rls import tenant
from okr import services
from okr.models import Activity, CycleStatus, KeyResult, Level, Objective
from okr.progress import expected_progress
from tests.factories import CycleFactory

D = Decimal


@pytest.fixture
def q1(acme):
    return CycleFactory(organization=acme, name="Q1")


@pytest.fixture
def q2(acme):
    return CycleFactory(organization=acme, name="Q2", status=CycleStatus.PLANNING)


@pytest.fixture
def yearly_kr(alice, acme, run_on_commit):
    """An aligned key result of the yearly cycle, which Q1's company objective supports."""
    yearly = CycleFactory(organization=acme, name="2027")
    annual = services.objective_create(
        actor=alice, cycle=yearly, title="Annual", level=Level.COMPANY
    )
    with run_on_commit():
        return services.key_result_create(
            actor=alice, objective=annual, title="Quarters deliver", progress_source="aligned"
        )


@pytest.fixture
def revenue(alice, q1, yearly_kr, run_on_commit):
    with run_on_commit():
        company = services.objective_create(
            actor=alice, cycle=q1, title="Grow", level=Level.COMPANY, parent_key_result=yearly_kr
        )
        revenue = services.key_result_create(
            actor=alice, objective=company, title="Revenue", target_value=D(10)
        )
        services.check_in_record(actor=alice, key_result=revenue, value=D(8), confidence="at_risk")
    return KeyResult.objects.select_related("objective__cycle").get(pk=revenue.pk)


def test_an_edit_never_undoes_a_grade_given_meanwhile(alice, mark, revenue):
    stale = KeyResult.objects.select_related("objective__cycle").get(pk=revenue.pk)
    services.key_result_grade(actor=mark, key_result=revenue, grade=D("0.6"), note="Fair")

    services.key_result_update(actor=alice, key_result=stale, title="Net revenue")

    revenue.refresh_from_db()
    assert (revenue.title, revenue.grade, revenue.grade_note) == ("Net revenue", D("0.60"), "Fair")


def test_grading_moves_no_progress(alice, revenue):
    before = revenue.progress
    services.key_result_grade(actor=alice, key_result=revenue, grade=D(1))
    revenue.refresh_from_db()
    assert revenue.progress == before == 80


def test_a_grade_goes_in_a_closed_cycle_but_nothing_else_does(alice, q1, revenue):
    services.cycle_update(actor=alice, cycle=q1, status=CycleStatus.CLOSED)
    revenue.objective.cycle.refresh_from_db()

    graded = services.key_result_grade(actor=alice, key_result=revenue, grade=D("0.75"))

    assert graded.grade == D("0.75")
    with pytest.raises(ValidationError):
        services.key_result_update(actor=alice, key_result=revenue, title="Too late")


def test_roll_over_copies_start_where_the_source_stands_and_roll_up(
    alice, q1, q2, revenue, yearly_kr, run_on_commit
):
    yearly_kr.refresh_from_db()
    assert yearly_kr.progress == 80  # one quarter at 80 %
    services.cycle_update(actor=alice, cycle=q1, status=CycleStatus.CLOSED)

    with run_on_commit():
        result = services.cycle_roll_over(
            actor=alice, cycle=q1, to_cycle=q2, key_result_ids=[revenue.pk]
        )

    [objective], [copy] = result.objectives, result.key_results
    assert (copy.start_value, copy.current_value, copy.target_value) == (8, 8, 10)
    assert copy.progress == 0
    assert objective.parent_key_result_id == yearly_kr.pk  # the yearly cycle is still open
    yearly_kr.refresh_from_db()
    assert yearly_kr.progress == 40  # (80 + 0) / 2: the copy counts at once
    objectives, key_results = expected_progress(alice.organization_id)
    assert objectives == dict(Objective.objects.values_list("pk", "progress"))
    assert key_results == dict(KeyResult.objects.values_list("pk", "progress"))


def test_roll_over_is_all_or_nothing(alice, q1, q2, revenue, run_on_commit):
    finished = services.key_result_create(
        actor=alice, objective=revenue.objective, title="Done", target_value=D(1)
    )
    services.check_in_record(actor=alice, key_result=finished, value=D(1), confidence="on_track")
    objectives_before = Objective.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        services.cycle_roll_over(
            actor=alice, cycle=q1, to_cycle=q2, key_result_ids=[revenue.pk, finished.pk]
        )

    assert "finished" in excinfo.value.message_dict["key_results"][0]
    assert Objective.objects.count() == objectives_before


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_roll_overs_at_once_copy_a_key_result_once(alice, mark, acme):
    q1 = CycleFactory(organization=acme, name="Q1")
    q2 = CycleFactory(organization=acme, name="Q2", status=CycleStatus.PLANNING)
    company = services.objective_create(actor=alice, cycle=q1, title="Grow", level=Level.COMPANY)
    revenue = services.key_result_create(
        actor=alice, objective=company, title="Revenue", target_value=D(10)
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def roll_over() -> None:
        try:
            barrier.wait(timeout=30)
            with tenant(acme.pk):  # as a request of Acme's would be
                services.cycle_roll_over(
                    actor=alice, cycle=q1, to_cycle=q2, key_result_ids=[revenue.pk]
                )
            outcomes.append("copied")
        except ValidationError as error:
            outcomes.append(error.message_dict["key_results"][0])
        except BaseException as error:  # surfaced in the main thread
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=roll_over) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["copied", "“Revenue” was already rolled over into “Q2”."]
    assert KeyResult.objects.filter(rolled_over_from=revenue).count() == 1
    assert Objective.objects.filter(cycle=q2).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_roll_over_that_fails_half_way_leaves_nothing(alice, acme, monkeypatch):
    q1 = CycleFactory(organization=acme, name="Q1")
    q2 = CycleFactory(organization=acme, name="Q2", status=CycleStatus.PLANNING)
    company = services.objective_create(actor=alice, cycle=q1, title="Grow", level=Level.COMPANY)
    revenue = services.key_result_create(
        actor=alice, objective=company, title="Revenue", target_value=D(10)
    )

    def activity_insert_fails(**kwargs):
        raise IntegrityError("activity insert failed")

    monkeypatch.setattr(Activity.objects, "create", activity_insert_fails)
    with pytest.raises(IntegrityError):
        services.cycle_roll_over(actor=alice, cycle=q1, to_cycle=q2, key_result_ids=[revenue.pk])

    assert not Objective.objects.filter(cycle=q2).exists()
    assert not KeyResult.objects.filter(rolled_over_from__isnull=False).exists()
