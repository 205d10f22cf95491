"""Check-ins (docs/domain.md): what they take, what they update at once, and that nothing is half-written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from okr import progress, services
from okr.models import Activity, CheckIn, KeyResult, Level, Metric, Objective

D = Decimal


@pytest.fixture
def company(alice, acme_cycle):
    return services.objective_create(
        actor=alice, cycle=acme_cycle, title="Grow", level=Level.COMPANY
    )


@pytest.fixture
def churn(alice, emma, company):
    """Decrease churn from 8 % to 2 %, owned by Emma."""
    return services.key_result_create(
        actor=alice,
        objective=company,
        title="Churn",
        metric=Metric.PERCENT,
        start_value=D(8),
        target_value=D(2),
        owner=emma.user,
    )


def test_it_updates_the_key_result_at_once(emma, churn, company):
    check_in = services.check_in_record(
        actor=emma, key_result=churn, value=D(5), confidence="at_risk", note="Better onboarding"
    )
    stored = KeyResult.objects.get(pk=churn.pk)
    assert stored.current_value == D(5)
    assert stored.confidence == "at_risk"
    assert stored.progress == 50.0
    assert stored.last_check_in_at == check_in.created_at
    assert (churn.current_value, churn.progress) == (D(5), 50.0)
    assert (check_in.author, check_in.note) == (emma.user, "Better onboarding")
    activity = Activity.objects.get(verb="checked_in")
    assert activity.key_result_id == churn.pk
    assert activity.objective_id == company.pk
    assert activity.changes["confidence"] == [None, "at_risk"]


def test_it_shows_the_latest_check_in(emma, churn):
    services.check_in_record(actor=emma, key_result=churn, value=D(6), confidence="on_track")
    services.check_in_record(actor=emma, key_result=churn, value=D(7), confidence="off_track")
    stored = KeyResult.objects.get(pk=churn.pk)
    assert (stored.current_value, stored.confidence) == (D(7), "off_track")
    assert CheckIn.objects.filter(key_result=churn).count() == 2


def test_it_rolls_the_check_in_up_after_commit(emma, churn, company, run_on_commit):
    with run_on_commit():
        services.check_in_record(actor=emma, key_result=churn, value=D(2), confidence="on_track")
    assert Objective.objects.get(pk=company.pk).progress == 100.0


@pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), D("-Infinity"), None, "abc"])
def test_it_wants_a_finite_value(emma, churn, value):
    with pytest.raises(ValidationError) as excinfo:
        services.check_in_record(actor=emma, key_result=churn, value=value, confidence="on_track")
    assert "value" in excinfo.value.message_dict
    assert not CheckIn.objects.exists()


def test_it_refuses_more_decimal_places_than_it_stores(emma, churn):
    with pytest.raises(ValidationError) as excinfo:
        services.check_in_record(
            actor=emma, key_result=churn, value=D("3.1234567"), confidence="on_track"
        )
    assert "value" in excinfo.value.message_dict


@pytest.mark.parametrize("confidence", ["", "great", None])
def test_it_wants_a_known_confidence(emma, churn, confidence):
    with pytest.raises(ValidationError) as excinfo:
        services.check_in_record(actor=emma, key_result=churn, value=D(3), confidence=confidence)
    assert "confidence" in excinfo.value.message_dict


def test_it_keeps_notes_to_2000_characters(emma, churn):
    with pytest.raises(ValidationError) as excinfo:
        services.check_in_record(
            actor=emma, key_result=churn, value=D(3), confidence="on_track", note="n" * 2001
        )
    assert "note" in excinfo.value.message_dict
    services.check_in_record(
        actor=emma, key_result=churn, value=D(3), confidence="on_track", note="n" * 2000
    )


@pytest.mark.parametrize("value", [D("0.5"), D(2), D(-1)])
def test_it_takes_only_zero_or_one_on_a_milestone(alice, company, value):
    launch = services.key_result_create(
        actor=alice, objective=company, title="Launch", metric=Metric.MILESTONE
    )
    with pytest.raises(ValidationError) as excinfo:
        services.check_in_record(actor=alice, key_result=launch, value=value, confidence="on_track")
    assert "value" in excinfo.value.message_dict
    services.check_in_record(actor=alice, key_result=launch, value=D(1), confidence="on_track")
    assert KeyResult.objects.get(pk=launch.pk).progress == 100.0


def test_it_takes_no_check_in_on_an_aligned_key_result(alice, company):
    aligned = services.key_result_create(
        actor=alice, objective=company, title="Teams deliver", progress_source="aligned"
    )
    with pytest.raises(ValidationError):
        services.check_in_record(actor=alice, key_result=aligned, value=D(1), confidence="on_track")
    assert not CheckIn.objects.exists()


def test_it_writes_nothing_when_the_activity_cannot_be_recorded(emma, churn, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the activity table is on fire")

    monkeypatch.setattr(services.check_ins, "record_activity", broken)
    # The writes take no savepoint of their own: a failure fails the caller's transaction
    # (here a request's, as in the views), which then commits nothing of the check-in.
    with pytest.raises(RuntimeError), transaction.atomic():
        services.check_in_record(actor=emma, key_result=churn, value=D(3), confidence="off_track")

    assert not CheckIn.objects.exists()
    stored = KeyResult.objects.get(pk=churn.pk)
    assert (stored.current_value, stored.confidence, stored.progress) == (D(8), None, 0.0)
    assert stored.last_check_in_at is None


def test_it_enqueues_no_roll_up_when_the_check_in_fails(
    emma, churn, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services.check_ins, "record_activity", lambda **kwargs: 1 / 0)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ZeroDivisionError):
        services.check_in_record(actor=emma, key_result=churn, value=D(3), confidence="on_track")
    assert callbacks == []


def test_it_keeps_the_check_in_and_rolls_up_in_process_when_the_broker_is_down(
    emma, churn, company, monkeypatch, run_on_commit
):
    from okr.tasks import roll_up_progress

    def broker_down(*args, **kwargs):
        raise ConnectionError("the broker is down")

    monkeypatch.setattr(roll_up_progress, "delay", broker_down)
    with run_on_commit():
        check_in = services.check_in_record(
            actor=emma, key_result=churn, value=D(5), confidence="on_track"
        )
    assert CheckIn.objects.filter(pk=check_in.pk).exists()
    assert KeyResult.objects.get(pk=churn.pk).progress == 50.0
    # The roll-up ran in the request, after the commit: the ancestors are right at once.
    assert Objective.objects.get(pk=company.pk).progress > 0.0
    assert progress.recompute_all(organization_id=company.organization_id).corrected == 0


@pytest.mark.django_db(transaction=True)
def test_it_commits_the_check_in_its_key_result_and_activity_together_or_not_at_all(
    alice, emma, acme_cycle, monkeypatch
):
    objective = services.objective_create(
        actor=alice, cycle=acme_cycle, title="Grow", level=Level.COMPANY
    )
    key_result = services.key_result_create(
        actor=alice, objective=objective, title="Revenue", target_value=D(10), owner=emma.user
    )

    def activity_insert_fails(**kwargs):
        raise IntegrityError("activity insert failed")

    monkeypatch.setattr(Activity.objects, "create", activity_insert_fails)
    with pytest.raises(IntegrityError):
        services.check_in_record(
            actor=emma, key_result=key_result, value=D(6), confidence="on_track"
        )

    # A real transaction rolled back: nothing of the check-in is in the database.
    assert not CheckIn.objects.exists()
    stored = KeyResult.objects.get(pk=key_result.pk)
    assert (stored.current_value, stored.progress, stored.confidence) == (D(0), 0.0, None)
    assert not Activity.objects.filter(verb="checked_in").exists()

    monkeypatch.undo()
    services.check_in_record(actor=emma, key_result=key_result, value=D(6), confidence="on_track")
    assert CheckIn.objects.count() == 1
    assert KeyResult.objects.get(pk=key_result.pk).progress == 60.0
    assert Activity.objects.filter(verb="checked_in").count() == 1
