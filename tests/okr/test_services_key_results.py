"""Key results (docs/domain.md): their numbers, their rules, and every edit that moves progress up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from okr import services
from okr.models import Activity, CheckIn, KeyResult, Level, Metric, Objective
from okr.progress import expected_progress
from okr.tasks import roll_up_progress

D = Decimal


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.fixture
def company(alice, acme_cycle):
    return services.objective_create(
        actor=alice, cycle=acme_cycle, title="Grow", level=Level.COMPANY
    )


@pytest.fixture
def revenue(alice, company, run_on_commit):
    with run_on_commit():
        return services.key_result_create(
            actor=alice, objective=company, title="Revenue", start_value=D(0), target_value=D(10)
        )


@pytest.fixture
def supporter(alice, acme_cycle, company, run_on_commit):
    """A company objective supporting an aligned key result of ``company``, at 50 %."""
    with run_on_commit():
        aligned = services.key_result_create(
            actor=alice, objective=company, title="Teams deliver", progress_source="aligned"
        )
        child = services.objective_create(
            actor=alice,
            cycle=acme_cycle,
            title="Child",
            level=Level.COMPANY,
            parent_key_result=aligned,
        )
        leaf = services.key_result_create(
            actor=alice, objective=child, title="Leaf", target_value=D(10)
        )
        services.check_in_record(actor=alice, key_result=leaf, value=D(5), confidence="on_track")
    return aligned, child, leaf


def assert_caches_are_true(organization_id):
    objectives, key_results = expected_progress(organization_id)
    assert objectives == dict(
        Objective.objects.filter(organization_id=organization_id).values_list("pk", "progress")
    )
    assert key_results == dict(
        KeyResult.objects.filter(organization_id=organization_id).values_list("pk", "progress")
    )


def test_it_creates_a_key_result_with_the_defaults(alice, emma, company):
    key_result = services.key_result_create(
        actor=alice, objective=company, title="NPS", target_value=D(50), owner=emma.user
    )
    key_result.refresh_from_db()
    assert key_result.owner == emma.user
    assert (key_result.metric, key_result.unit, key_result.weight) == ("number", "", D(1))
    assert key_result.progress_source == "measured"
    assert key_result.start_value == key_result.current_value == D(0)
    assert Activity.objects.filter(verb="created", key_result=key_result).exists()


def test_it_defaults_the_owner_to_the_requester(alice, company):
    key_result = services.key_result_create(
        actor=alice, objective=company, title="NPS", target_value=D(50)
    )
    assert key_result.owner == alice.user


@pytest.mark.parametrize("title", ["", "y" * 201])
def test_it_wants_a_title_of_1_to_200_characters(alice, company, title):
    with pytest.raises(ValidationError) as excinfo:
        services.key_result_create(actor=alice, objective=company, title=title, target_value=D(1))
    assert "title" in errors_of(excinfo)


def test_it_wants_a_target_that_differs_from_the_start(alice, company):
    with pytest.raises(ValidationError) as excinfo:
        services.key_result_create(
            actor=alice, objective=company, title="Flat", start_value=D(5), target_value=D(5)
        )
    assert "target_value" in errors_of(excinfo)


def test_it_wants_a_target(alice, company):
    with pytest.raises(ValidationError) as excinfo:
        services.key_result_create(actor=alice, objective=company, title="Nothing")
    assert "target_value" in errors_of(excinfo)


@pytest.mark.parametrize("weight", [D(0), D(-1)])
def test_it_wants_a_positive_weight(alice, company, weight):
    with pytest.raises(ValidationError) as excinfo:
        services.key_result_create(
            actor=alice, objective=company, title="Heavy", target_value=D(1), weight=weight
        )
    assert "weight" in errors_of(excinfo)


@pytest.mark.parametrize("field", ["start_value", "target_value", "weight"])
@pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), D("-Infinity"), float("nan")])
def test_it_refuses_numbers_that_are_not_finite(alice, company, field, value):
    arguments = {"start_value": D(0), "target_value": D(10), "weight": D(1), field: value}
    with pytest.raises(ValidationError) as excinfo:
        services.key_result_create(actor=alice, objective=company, title="Odd", **arguments)
    assert field in errors_of(excinfo)


def test_it_refuses_numbers_too_large_for_the_column(alice, company):
    with pytest.raises(ValidationError) as excinfo:
        services.key_result_create(
            actor=alice, objective=company, title="Huge", target_value=D("1e15")
        )
    assert "target_value" in errors_of(excinfo)


@pytest.mark.parametrize(("start", "target"), [(D(0), D(2)), (D(1), D(0)), (D(5), D(10))])
def test_it_keeps_a_milestone_between_zero_and_one(alice, company, start, target):
    with pytest.raises(ValidationError):
        services.key_result_create(
            actor=alice,
            objective=company,
            title="Launch",
            metric=Metric.MILESTONE,
            start_value=start,
            target_value=target,
        )


def test_it_refuses_a_milestone_edit_to_other_values(alice, company):
    launch = services.key_result_create(
        actor=alice, objective=company, title="Launch", metric=Metric.MILESTONE
    )
    with pytest.raises(ValidationError) as excinfo:
        services.key_result_update(actor=alice, key_result=launch, target_value=D(3))
    assert "target_value" in errors_of(excinfo)


def test_it_refuses_an_unknown_metric_or_source(alice, company):
    with pytest.raises(ValidationError) as excinfo:
        services.key_result_create(
            actor=alice, objective=company, title="Odd", target_value=D(1), metric="vibes"
        )
    assert "metric" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.key_result_create(
            actor=alice, objective=company, title="Odd", target_value=D(1), progress_source="gut"
        )
    assert "progress_source" in errors_of(excinfo)


def test_it_wants_an_owner_with_an_active_membership(alice, dora, oscar, company, revenue):
    for stranger in (dora.user, oscar.user):
        with pytest.raises(ValidationError) as excinfo:
            services.key_result_create(
                actor=alice, objective=company, title="NPS", target_value=D(1), owner=stranger
            )
        assert "owner" in errors_of(excinfo)
        with pytest.raises(ValidationError) as excinfo:
            services.key_result_update(actor=alice, key_result=revenue, owner=stranger)
        assert "owner" in errors_of(excinfo)


def test_it_keeps_the_current_value_at_the_start_until_the_first_check_in(alice, revenue):
    services.key_result_update(actor=alice, key_result=revenue, start_value=D(4))
    revenue.refresh_from_db()
    assert revenue.current_value == D(4)
    assert revenue.progress == 0.0
    services.check_in_record(actor=alice, key_result=revenue, value=D(7), confidence="on_track")
    services.key_result_update(actor=alice, key_result=revenue, start_value=D(1))
    revenue.refresh_from_db()
    assert revenue.current_value == D(7)
    assert revenue.progress == pytest.approx(200 / 3)


@pytest.mark.parametrize(
    ("changes", "company_progress"),
    [
        ({"target_value": D(20)}, (25.0 + 50.0) / 2),
        ({"start_value": D(4)}, (50.0 / 3 * 1 + 50.0) / 2),
        ({"weight": D(3)}, (50.0 * 3 + 50.0) / 4),
        ({"metric": Metric.MILESTONE}, (100.0 + 50.0) / 2),
        ({"progress_source": "aligned"}, (0.0 + 50.0) / 2),
    ],
)
def test_it_rolls_up_every_edit_that_moves_progress(
    alice, acme, company, revenue, supporter, changes, company_progress, run_on_commit
):
    with run_on_commit():
        services.check_in_record(actor=alice, key_result=revenue, value=D(5), confidence="on_track")
    assert Objective.objects.get(pk=company.pk).progress == 50.0
    with run_on_commit():
        services.key_result_update(actor=alice, key_result=revenue, **changes)
    assert Objective.objects.get(pk=company.pk).progress == pytest.approx(company_progress)
    assert_caches_are_true(acme.pk)


def test_it_rolls_up_an_aligned_key_result_turned_measured(
    alice, acme, company, supporter, run_on_commit
):
    aligned, _, _ = supporter
    with run_on_commit():
        services.key_result_update(
            actor=alice, key_result=aligned, progress_source="measured", target_value=D(4)
        )
    aligned.refresh_from_db()
    assert aligned.current_value == D(0)
    assert aligned.progress == 0.0
    assert_caches_are_true(acme.pk)


def test_it_does_not_roll_up_a_title_edit(
    alice, revenue, monkeypatch, django_capture_on_commit_callbacks
):
    enqueued = []
    monkeypatch.setattr(roll_up_progress, "delay", lambda *args: enqueued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        services.key_result_update(actor=alice, key_result=revenue, title="Recurring revenue")
    assert enqueued == []


def test_it_does_not_lose_a_check_in_made_while_editing(alice, revenue):
    stale = KeyResult.objects.get(pk=revenue.pk)
    services.check_in_record(actor=alice, key_result=revenue, value=D(9), confidence="on_track")
    services.key_result_update(actor=alice, key_result=stale, title="Revenue (net)")
    revenue.refresh_from_db()
    assert (revenue.current_value, revenue.progress, revenue.title) == (D(9), 90.0, "Revenue (net)")


def test_it_deletes_a_key_result_with_its_check_ins_and_unaligns_its_supporters(
    alice, acme, company, revenue, supporter, run_on_commit
):
    aligned, child, _ = supporter
    with run_on_commit():
        services.check_in_record(
            actor=alice, key_result=revenue, value=D(10), confidence="on_track"
        )
    assert Objective.objects.get(pk=company.pk).progress == 75.0
    with run_on_commit():
        services.key_result_delete(actor=alice, key_result=aligned)
    assert not KeyResult.objects.filter(title="Teams deliver").exists()
    assert Objective.objects.get(pk=child.pk).parent_key_result_id is None
    assert Objective.objects.get(pk=company.pk).progress == 100.0
    revenue_id = revenue.pk
    with run_on_commit():
        services.key_result_delete(actor=alice, key_result=revenue)
    assert not CheckIn.objects.filter(key_result_id=revenue_id).exists()
    assert Objective.objects.get(pk=company.pk).progress == 0.0
    assert_caches_are_true(acme.pk)
