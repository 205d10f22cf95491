"""The progress rules of docs/progress.md, number by number."""

from __future__ import annotations

from decimal import Decimal

import pytest

from okr import services
from okr.models import KeyResult, Level, Metric, Objective, ProgressSource, Visibility
from okr.progress import (
    aligned_progress,
    expected_progress,
    measured_progress,
    objective_progress,
    rounded,
)

D = Decimal


@pytest.mark.parametrize(
    ("start", "target", "current", "progress"),
    [
        ("0", "10", "4", 40.0),
        ("0", "10", "0", 0.0),
        ("0", "10", "10", 100.0),
        ("20", "120", "45", 25.0),
        ("-50", "50", "0", 50.0),
        ("0", "3", "1", 100 / 3),
    ],
)
def test_it_measures_progress_as_the_share_of_the_way_from_start_to_target(
    start, target, current, progress
):
    assert measured_progress(start=D(start), target=D(target), current=D(current)) == pytest.approx(
        progress, abs=1e-12
    )


@pytest.mark.parametrize(
    ("start", "target", "current", "progress"),
    [
        ("100", "20", "100", 0.0),
        ("100", "20", "60", 50.0),
        ("100", "20", "20", 100.0),
        ("5", "1", "4", 25.0),
    ],
)
def test_it_reads_a_target_below_the_start_as_decrease_to(start, target, current, progress):
    assert measured_progress(start=D(start), target=D(target), current=D(current)) == progress


@pytest.mark.parametrize(
    ("start", "target", "current", "progress"),
    [
        ("0", "10", "-3", 0.0),
        ("0", "10", "25", 100.0),
        ("100", "20", "150", 0.0),
        ("100", "20", "0", 100.0),
    ],
)
def test_it_clamps_progress_at_both_ends(start, target, current, progress):
    assert measured_progress(start=D(start), target=D(target), current=D(current)) == progress


def test_it_measures_a_milestone_as_nothing_or_everything():
    assert measured_progress(start=D(0), target=D(1), current=D(0)) == 0.0
    assert measured_progress(start=D(0), target=D(1), current=D(1)) == 100.0


def test_it_averages_the_supporting_objectives_plainly_for_an_aligned_key_result():
    assert aligned_progress([10.0, 20.0, 60.0]) == 30.0
    assert aligned_progress([100.0]) == 100.0


def test_it_gives_an_aligned_key_result_without_supporters_zero():
    assert aligned_progress([]) == 0.0


def test_it_weighs_the_key_results_of_an_objective():
    assert objective_progress([(D(1), 100.0), (D(3), 0.0)]) == 25.0
    assert objective_progress([(D("0.5"), 40.0), (D("0.5"), 60.0)]) == 50.0
    assert objective_progress([(D(2), 30.0)]) == 30.0


def test_it_gives_an_objective_without_key_results_zero():
    assert objective_progress([]) == 0.0


def test_it_does_not_depend_on_the_order_of_the_rows():
    pairs = [(D("0.1"), 33.3), (D("7"), 12.345678), (D("2.5"), 99.99), (D("1"), 0.01)]
    assert objective_progress(pairs) == objective_progress(list(reversed(pairs)))
    values = [0.1, 0.2, 0.3, 33.333333, 66.666667]
    assert aligned_progress(values) == aligned_progress(list(reversed(values)))


def test_it_stores_progress_unrounded_and_rounds_what_clients_see():
    third = measured_progress(start=D(0), target=D(3), current=D(1))
    assert third != 33.33
    assert rounded(third) == 33.33


# --- Through the services: what gets cached ----------------------------------------------


@pytest.fixture
def company(alice, acme_cycle):
    return services.objective_create(
        actor=alice, cycle=acme_cycle, title="Grow revenue", level=Level.COMPANY
    )


def test_it_caches_the_progress_of_a_new_key_result_from_its_start(alice, company, run_on_commit):
    with run_on_commit():
        key_result = services.key_result_create(
            actor=alice, objective=company, title="ARR", start_value=D(10), target_value=D(20)
        )
    key_result.refresh_from_db()
    assert key_result.current_value == D(10)
    assert key_result.progress == 0.0
    assert key_result.confidence is None
    assert key_result.last_check_in_at is None


def test_it_caches_a_weighted_mean_on_the_objective(alice, company, run_on_commit):
    with run_on_commit():
        heavy = services.key_result_create(
            actor=alice, objective=company, title="Heavy", target_value=D(10), weight=D(3)
        )
        light = services.key_result_create(
            actor=alice, objective=company, title="Light", target_value=D(10), weight=D(1)
        )
        services.check_in_record(actor=alice, key_result=heavy, value=D(10), confidence="on_track")
        services.check_in_record(actor=alice, key_result=light, value=D(2), confidence="at_risk")
    company.refresh_from_db()
    assert company.progress == (3 * 100 + 1 * 20) / 4


def test_it_counts_private_supporters_in_an_aligned_key_result(
    alice, mark, emma, company, acme_cycle, run_on_commit
):
    with run_on_commit():
        aligned = services.key_result_create(
            actor=alice,
            objective=company,
            title="People grow",
            progress_source=ProgressSource.ALIGNED,
        )
        public = services.objective_create(
            actor=emma,
            cycle=acme_cycle,
            title="Learn Rust",
            level=Level.PERSONAL,
            parent_key_result=aligned,
        )
        secret = services.objective_create(
            actor=mark,
            cycle=acme_cycle,
            title="Find a new job",
            level=Level.PERSONAL,
            parent_key_result=aligned,
            visibility=Visibility.PRIVATE,
        )
        public_kr = services.key_result_create(
            actor=emma, objective=public, title="Chapters", target_value=D(10)
        )
        secret_kr = services.key_result_create(
            actor=mark, objective=secret, title="Interviews", target_value=D(4)
        )
        services.check_in_record(
            actor=emma, key_result=public_kr, value=D(2), confidence="on_track"
        )
        services.check_in_record(
            actor=mark, key_result=secret_kr, value=D(4), confidence="on_track"
        )
    assert KeyResult.objects.get(pk=aligned.pk).progress == (20.0 + 100.0) / 2
    assert Objective.objects.get(pk=company.pk).progress == 60.0


def test_it_ignores_the_values_of_an_aligned_key_result(alice, company, run_on_commit):
    with run_on_commit():
        aligned = services.key_result_create(
            actor=alice,
            objective=company,
            title="Teams deliver",
            progress_source=ProgressSource.ALIGNED,
            start_value=D(0),
            target_value=D(10),
        )
        KeyResult.objects.filter(pk=aligned.pk).update(current_value=D(10))
        services.key_result_update(actor=alice, key_result=aligned, weight=D(2))
    assert KeyResult.objects.get(pk=aligned.pk).progress == 0.0
    assert expected_progress(company.organization_id)[1][aligned.pk] == 0.0


def test_it_keeps_a_milestone_from_zero_to_one(alice, company, run_on_commit):
    with run_on_commit():
        launch = services.key_result_create(
            actor=alice, objective=company, title="Launch", metric=Metric.MILESTONE
        )
        services.check_in_record(actor=alice, key_result=launch, value=D(1), confidence="on_track")
    launch.refresh_from_db()
    assert (launch.start_value, launch.target_value, launch.progress) == (D(0), D(1), 100.0)
    assert Objective.objects.get(pk=company.pk).progress == 100.0
