"""Check-ins: who may check in, what a check-in does to its key result, the history."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okr.models import CheckIn, CycleStatus, Level, Metric, ProgressSource, Visibility
from tests.api.conftest import org_url
from tests.factories import CycleFactory, KeyResultFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db


def check_ins_url(key_result) -> str:
    return org_url("acme", f"key-results/{key_result.pk}/check-ins/")


def test_it_records_a_check_in_and_updates_the_key_result_at_once(
    client_for, alice, company_key_result, company_objective, run_on_commit
):
    client = client_for(alice)

    with run_on_commit():
        response = client.post(
            check_ins_url(company_key_result),
            {"value": 25.5, "confidence": "at_risk", "note": "Slow start"},
        )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "value", "confidence", "note", "author", "created_at"}
    assert body["value"] == 25.5
    assert body["author"] == alice.user.pk
    assert body["created_at"].endswith("Z")
    key_result = client.get(org_url("acme", f"key-results/{company_key_result.pk}/")).json()
    assert key_result["current_value"] == 25.5
    assert key_result["confidence"] == "at_risk"
    assert key_result["progress"] == 25.5
    assert key_result["last_check_in_at"] == body["created_at"]
    objective = client.get(org_url("acme", f"objectives/{company_objective.pk}/")).json()
    assert objective["progress"] == 25.5


def test_it_lists_the_history_newest_first(client_for, alice, company_key_result):
    client = client_for(alice)
    for value in (10, 20, 30):
        client.post(check_ins_url(company_key_result), {"value": value, "confidence": "on_track"})

    rows = client.get(check_ins_url(company_key_result)).json()["results"]

    assert [row["value"] for row in rows] == [30, 20, 10]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"confidence": "on_track"}, "value"),
        ({"value": 1}, "confidence"),
        ({"value": 1, "confidence": "meh"}, "confidence"),
        ({"value": "NaN", "confidence": "on_track"}, "value"),
        ({"value": "1e20", "confidence": "on_track"}, "value"),
        ({"value": 1, "confidence": "on_track", "note": "n" * 2001}, "note"),
    ],
)
def test_it_refuses_invalid_check_ins(client_for, alice, company_key_result, body, field):
    response = client_for(alice).post(check_ins_url(company_key_result), body)

    assert response.status_code == 400
    assert field in response.json()


def test_it_takes_only_zero_or_one_on_a_milestone(client_for, alice, company_objective):
    milestone = KeyResultFactory(
        objective=company_objective, metric=Metric.MILESTONE, start_value=0, target_value=1
    )
    client = client_for(alice)

    assert (
        client.post(check_ins_url(milestone), {"value": 0.5, "confidence": "on_track"}).status_code
        == 400
    )
    assert (
        client.post(check_ins_url(milestone), {"value": 1, "confidence": "on_track"}).status_code
        == 201
    )


def test_it_refuses_check_ins_on_an_aligned_key_result(client_for, alice, company_objective):
    aligned = KeyResultFactory(objective=company_objective, progress_source=ProgressSource.ALIGNED)

    response = client_for(alice).post(
        check_ins_url(aligned), {"value": 1, "confidence": "on_track"}
    )

    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_it_refuses_check_ins_in_a_closed_cycle(client_for, alice, acme):
    closed = CycleFactory(organization=acme, status=CycleStatus.CLOSED)
    key_result = KeyResultFactory(objective=ObjectiveFactory(cycle=closed, owner=alice.user))

    response = client_for(alice).post(
        check_ins_url(key_result), {"value": 1, "confidence": "on_track"}
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("who", "expected"),
    [("alice", 201), ("mark", 201), ("emma", 403), ("paula", 201)],
)
def test_it_lets_the_owners_managers_and_admins_check_in(
    request, client_for, alice, acme_cycle, who, expected
):
    """Paula owns the key result; Emma owns nothing here."""
    paula = request.getfixturevalue("paula")
    key_result = KeyResultFactory(
        objective=ObjectiveFactory(cycle=acme_cycle, owner=alice.user), owner=paula.user
    )
    membership = request.getfixturevalue(who)

    response = client_for(membership).post(
        check_ins_url(key_result), {"value": 5, "confidence": "on_track"}
    )

    assert response.status_code == expected


def test_it_lets_the_objectives_owner_check_in(client_for, emma, mark, acme_cycle):
    objective = ObjectiveFactory(cycle=acme_cycle, owner=emma.user, level=Level.PERSONAL)
    key_result = KeyResultFactory(objective=objective, owner=mark.user)

    response = client_for(emma).post(
        check_ins_url(key_result), {"value": 5, "confidence": "on_track"}
    )

    assert response.status_code == 201


def test_it_hides_check_ins_of_private_and_foreign_key_results(
    client_for, emma, paula, acme_cycle, globex_key_result
):
    secret = ObjectiveFactory(
        cycle=acme_cycle, owner=paula.user, level=Level.PERSONAL, visibility=Visibility.PRIVATE
    )
    hidden = KeyResultFactory(objective=secret, owner=paula.user)
    client = client_for(emma)

    assert client.get(check_ins_url(hidden)).status_code == 404
    assert (
        client.post(check_ins_url(hidden), {"value": 1, "confidence": "on_track"}).status_code
        == 404
    )
    assert client.get(check_ins_url(globex_key_result)).status_code == 404
    assert not CheckIn.objects.exists()


@pytest.mark.services
def test_it_reads_the_key_result_once_and_locked(client_for, alice, company_key_result):
    """In the request's transaction the lookup locks the row; the service does not read it again."""
    client = client_for(alice)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            check_ins_url(company_key_result), {"value": 40, "confidence": "on_track"}
        )
    assert response.status_code == 201, response.json()
    reads = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith('SELECT "okr_keyresult"."id"')
    ]
    assert len(reads) == 1, reads
    assert reads[0].endswith('FOR UPDATE OF "okr_keyresult"')
    company_key_result.refresh_from_db()
    assert company_key_result.current_value == 40
    assert not any("SAVEPOINT" in query["sql"] for query in queries.captured_queries)


def test_a_refused_check_in_leaves_the_callers_transaction_usable(alice, company_objective):
    """The service raises every refusal before it writes, so its writes need no savepoint."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from okr.services import check_in_record

    milestone = KeyResultFactory(
        objective=company_objective,
        owner=alice.user,
        metric=Metric.MILESTONE,
        start_value=0,
        target_value=1,
    )
    with transaction.atomic():
        with pytest.raises(ValidationError):
            check_in_record(
                actor=alice, key_result=milestone, value=Decimal(7), confidence="on_track"
            )
        record = check_in_record(
            actor=alice, key_result=milestone, value=Decimal(1), confidence="on_track"
        )

    assert CheckIn.objects.filter(pk=record.pk, key_result=milestone).exists()
