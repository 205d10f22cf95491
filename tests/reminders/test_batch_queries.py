"""A batch costs the same few queries for 10 members as for 200: big organizations are fine."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import Membership, User
from okr import reminders
from okr.models import KeyResult, Level, Objective
from tests.reminders.conftest import AT, TEN_DAYS_BEFORE

# Members, key results, claims (insert, take over failed, read back), mark sent: 6 on
# PostgreSQL. SQLite splits the claims' insert at 999 parameters (99 rows a statement):
# up to 6 statements for a full batch of 500.
QUERIES_PER_BATCH = 6 if connection.vendor == "postgresql" else 11


def crowd(organization, cycle, size: int) -> list[Membership]:
    """``size`` members, each owning two due key results on one personal objective."""
    users = User.objects.bulk_create(
        User(email=f"member{n}@acme.test", name=f"Member {n}") for n in range(size)
    )
    members = Membership.objects.bulk_create(
        Membership(user=user, organization=organization) for user in users
    )
    objectives = Objective.objects.bulk_create(
        Objective(
            organization=organization,
            cycle=cycle,
            title=f"Objective of {user.email}",
            level=Level.PERSONAL,
            owner=user,
        )
        for user in users
    )
    KeyResult.objects.bulk_create(
        KeyResult(
            organization=organization,
            objective=objective,
            owner_id=objective.owner_id,
            title=f"Key result {n} of {objective.title}",
            target_value=Decimal(10),
            created_at=TEN_DAYS_BEFORE,
        )
        for objective in objectives
        for n in range(2)
    )
    return members


@pytest.mark.parametrize("size", [10, 200])
def test_a_batch_costs_the_same_queries_whatever_its_size(
    acme, cycle, size, mailoutbox, django_assert_max_num_queries
):
    members = crowd(acme, cycle, size)

    with django_assert_max_num_queries(QUERIES_PER_BATCH):
        report = reminders.send_batch(acme, AT, [m.pk for m in members])

    assert len(report.sent) == size
    assert len(mailoutbox) == size
    assert {entry.key_results for entry in report.sent} == {2}


def test_a_run_pages_through_the_members_a_batch_at_a_time(
    acme, cycle, mailoutbox, django_assert_max_num_queries
):
    crowd(acme, cycle, 120)
    batches = list(reminders.recipient_batches(acme, batch_size=50))
    assert [len(batch) for batch in batches] == [50, 50, 20]

    # Organizations (2) and what they had sent already (1), then per batch: its page of
    # ids (1) and the batch itself.
    with django_assert_max_num_queries(3 + 3 * (1 + QUERIES_PER_BATCH)):
        report = reminders.send_reminders(AT, batch_size=50)

    assert len(report.sent) == 120
    assert len({m.to[0] for m in mailoutbox}) == 120
