"""``manage.py recompute_progress`` and the nightly ``reconcile_progress`` job fix drifted caches."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from okr import services
from okr.models import KeyResult, Level, Objective
from okr.progress import recompute_all
from okr.tasks import reconcile_progress


@pytest.fixture
def acme_tree(alice, acme_cycle, run_on_commit):
    with run_on_commit():
        company = services.objective_create(
            actor=alice, cycle=acme_cycle, title="Grow", level=Level.COMPANY
        )
        aligned = services.key_result_create(
            actor=alice, objective=company, title="Teams deliver", progress_source="aligned"
        )
        child = services.objective_create(
            actor=alice,
            cycle=acme_cycle,
            title="Ship",
            level=Level.COMPANY,
            parent_key_result=aligned,
        )
        leaf = services.key_result_create(
            actor=alice, objective=child, title="Features", target_value=Decimal(10)
        )
        services.check_in_record(
            actor=alice, key_result=leaf, value=Decimal(3), confidence="on_track"
        )
    return company, aligned, child, leaf


@pytest.fixture
def globex_tree(oscar, globex_cycle, run_on_commit):
    with run_on_commit():
        objective = services.objective_create(
            actor=oscar, cycle=globex_cycle, title="Expand", level=Level.COMPANY
        )
        kr = services.key_result_create(
            actor=oscar, objective=objective, title="Offices", target_value=Decimal(4)
        )
        services.check_in_record(actor=oscar, key_result=kr, value=Decimal(1), confidence="at_risk")
    return objective, kr


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("recompute_progress", *args, stdout=out)
    return out.getvalue()


def test_it_corrects_a_corrupted_value_and_says_so(acme_tree, globex_tree):
    company, aligned, _, _ = acme_tree
    Objective.objects.filter(pk=company.pk).update(progress=99.0)
    KeyResult.objects.filter(pk=aligned.pk).update(progress=1.5)

    output = run("--org", "acme")

    assert (
        "acme: checked 2 objectives and 2 key results; corrected 1 objectives and 1 key results"
        in output
    )
    assert "corrected 2 cached values in total" in output
    assert "globex" not in output
    assert Objective.objects.get(pk=company.pk).progress == 30.0
    assert KeyResult.objects.get(pk=aligned.pk).progress == 30.0


def test_it_reports_nothing_to_correct_when_the_caches_are_true(acme_tree, globex_tree):
    output = run()
    assert (
        "acme: checked 2 objectives and 2 key results; corrected 0 objectives and 0 key results"
        in output
    )
    assert "globex: checked 1 objectives and 1 key results; corrected 0" in output
    assert "corrected 0 cached values in total" in output


def test_it_refuses_an_unknown_organization(acme_tree):
    with pytest.raises(CommandError, match="nowhere"):
        run("--org", "nowhere")


def test_it_reconciles_every_organization_every_night(acme_tree, globex_tree):
    _, _, child, leaf = acme_tree
    globex_objective, _ = globex_tree
    Objective.objects.filter(pk=child.pk).update(progress=0.0)
    KeyResult.objects.filter(pk=leaf.pk).update(progress=77.0)
    Objective.objects.filter(pk=globex_objective.pk).update(progress=100.0)

    assert reconcile_progress.delay().get() == {"corrected": 3}

    assert KeyResult.objects.get(pk=leaf.pk).progress == 30.0
    assert Objective.objects.get(pk=child.pk).progress == 30.0
    assert Objective.objects.get(pk=globex_objective.pk).progress == 25.0
    assert reconcile_progress.delay().get() == {"corrected": 0}


def test_it_corrects_values_that_propagate_from_a_corrupted_leaf(acme, acme_tree):
    company, _aligned, child, leaf = acme_tree
    # A leaf whose cache drifted: everything above it must follow the recomputed leaf.
    KeyResult.objects.filter(pk=leaf.pk).update(progress=90.0)
    Objective.objects.filter(pk=child.pk).update(progress=90.0)
    report = recompute_all(organization_id=acme.pk)
    assert (report.key_results_corrected, report.objectives_corrected) == (1, 1)
    assert Objective.objects.get(pk=company.pk).progress == 30.0


def test_it_survives_a_loop_made_by_hand(acme, acme_tree):
    company, _aligned, child, leaf = acme_tree
    # The services refuse this; SQL or the support admin could still do it.
    child_kr = KeyResult.objects.create(
        organization=acme,
        objective=child,
        title="Loop",
        owner=leaf.owner,
        target_value=Decimal(100),
        progress_source="aligned",
    )
    Objective.objects.filter(pk=company.pk).update(parent_key_result=child_kr)
    report = recompute_all(organization_id=acme.pk)
    assert report.objectives_checked == 2
    assert report.key_results_checked == 3
