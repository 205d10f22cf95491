"""A closed cycle is read-only (docs/domain.md): every write to what it holds is a 400, even an admin's."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from okr import services
from okr.models import CheckIn, Cycle, KeyResult, Level, Objective
from okr.progress import expected_progress
from tests.factories import CycleFactory

D = Decimal


@pytest.fixture
def closed_world(alice, acme_cycle, run_on_commit):
    """A company objective with a measured and an aligned key result, then the cycle closes."""
    with run_on_commit():
        objective = services.objective_create(
            actor=alice, cycle=acme_cycle, title="Win 2026", level=Level.COMPANY
        )
        measured = services.key_result_create(
            actor=alice, objective=objective, title="Revenue", target_value=D(10)
        )
        aligned = services.key_result_create(
            actor=alice, objective=objective, title="Teams deliver", progress_source="aligned"
        )
        services.check_in_record(
            actor=alice, key_result=measured, value=D(4), confidence="on_track"
        )
    services.cycle_update(actor=alice, cycle=acme_cycle, status="closed")
    objective.refresh_from_db()
    measured.refresh_from_db()
    aligned.refresh_from_db()
    return objective, measured, aligned


WRITES = {
    "create an objective": lambda alice, cycle, o, m, a: services.objective_create(
        actor=alice, cycle=cycle, title="Late", level=Level.COMPANY
    ),
    "edit an objective": lambda alice, cycle, o, m, a: services.objective_update(
        actor=alice, objective=o, title="Renamed"
    ),
    "delete an objective": lambda alice, cycle, o, m, a: services.objective_delete(
        actor=alice, objective=o
    ),
    "add a key result": lambda alice, cycle, o, m, a: services.key_result_create(
        actor=alice, objective=o, title="More", target_value=D(1)
    ),
    "edit a key result": lambda alice, cycle, o, m, a: services.key_result_update(
        actor=alice, key_result=m, target_value=D(20)
    ),
    "delete a key result": lambda alice, cycle, o, m, a: services.key_result_delete(
        actor=alice, key_result=m
    ),
    "check in": lambda alice, cycle, o, m, a: services.check_in_record(
        actor=alice, key_result=m, value=D(9), confidence="on_track"
    ),
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_it_refuses_every_write_to_what_a_closed_cycle_holds(
    alice, acme_cycle, closed_world, write
):
    objective, measured, aligned = closed_world
    before = (
        list(Objective.objects.values_list("pk", "title", "progress")),
        list(KeyResult.objects.values_list("pk", "target_value", "progress")),
        CheckIn.objects.count(),
    )
    with pytest.raises(ValidationError):
        WRITES[write](alice, acme_cycle, objective, measured, aligned)
    after = (
        list(Objective.objects.values_list("pk", "title", "progress")),
        list(KeyResult.objects.values_list("pk", "target_value", "progress")),
        CheckIn.objects.count(),
    )
    assert after == before


def test_it_refuses_to_move_an_objective_into_a_closed_cycle(alice, acme, acme_cycle, closed_world):
    open_cycle = CycleFactory(organization=acme, name="Q1 2027")
    movable = services.objective_create(
        actor=alice, cycle=open_cycle, title="Movable", level=Level.COMPANY
    )
    with pytest.raises(ValidationError) as excinfo:
        services.objective_update(actor=alice, objective=movable, cycle=acme_cycle)
    assert "cycle" in excinfo.value.message_dict


def test_it_lets_only_the_status_of_a_closed_cycle_change(alice, acme_cycle, closed_world):
    with pytest.raises(ValidationError):
        services.cycle_update(actor=alice, cycle=acme_cycle, name="Renamed")
    with pytest.raises(ValidationError):
        services.cycle_update(
            actor=alice,
            cycle=acme_cycle,
            status="active",
            end_date=acme_cycle.end_date.replace(year=2030),
        )
    services.cycle_update(actor=alice, cycle=acme_cycle, status="active")
    assert Cycle.objects.get(pk=acme_cycle.pk).status == "active"
    objective, *_ = closed_world
    services.objective_update(actor=alice, objective=objective, title="Reopened, renamed")
    assert Objective.objects.get(pk=objective.pk).title == "Reopened, renamed"


def test_it_refuses_to_delete_a_cycle_with_objectives(alice, acme_cycle, closed_world):
    services.cycle_update(actor=alice, cycle=acme_cycle, status="active")
    with pytest.raises(ValidationError):
        services.cycle_delete(actor=alice, cycle=acme_cycle)
    assert Cycle.objects.filter(pk=acme_cycle.pk).exists()


def test_it_refuses_to_delete_a_closed_cycle(alice, acme):
    empty = CycleFactory(organization=acme, status="closed")
    with pytest.raises(ValidationError):
        services.cycle_delete(actor=alice, cycle=empty)
    services.cycle_update(actor=alice, cycle=empty, status="planning")
    services.cycle_delete(actor=alice, cycle=empty)
    assert not Cycle.objects.filter(pk=empty.pk).exists()


def test_it_lets_derived_progress_flow_through_a_closed_cycle(
    alice, acme, closed_world, run_on_commit
):
    objective, _measured, aligned = closed_world
    next_quarter = CycleFactory(organization=acme, name="Q1 2027")
    with run_on_commit():
        # Aligned while the parent's cycle was open … then the child's progress moves.
        child = Objective.objects.create(
            organization=acme,
            cycle=next_quarter,
            title="Carry on",
            level=Level.COMPANY,
            owner=alice.user,
            parent_key_result=aligned,
        )
        leaf = services.key_result_create(
            actor=alice, objective=child, title="Leaf", target_value=D(10)
        )
        services.check_in_record(actor=alice, key_result=leaf, value=D(6), confidence="on_track")
    assert KeyResult.objects.get(pk=aligned.pk).progress == 60.0
    assert Objective.objects.get(pk=objective.pk).progress == (40.0 + 60.0) / 2
    objectives, _key_results = expected_progress(acme.pk)
    assert objectives[objective.pk] == Objective.objects.get(pk=objective.pk).progress


def test_it_creates_cycles_with_a_start_before_the_end(alice):
    day = datetime.date(2027, 1, 1)
    with pytest.raises(ValidationError) as excinfo:
        services.cycle_create(actor=alice, name="Backwards", start_date=day, end_date=day)
    assert "end_date" in excinfo.value.message_dict
    cycle = services.cycle_create(
        actor=alice, name="Q1 2027", start_date=day, end_date=datetime.date(2027, 3, 31)
    )
    assert cycle.status == "planning"
