"""Exactly once under a real race: two workers on PostgreSQL and Redis, and a double beat."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connections

from okr import reminders, tasks
from okr.models import ReminderDelivery
from tests.factories import CycleFactory, MembershipFactory, OrganizationFactory
from tests.reminders.conftest import AT, key_result_for
from tests.workers import worker_processes

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

MEMBERS_PER_ORGANIZATION = 12


@pytest.fixture
def crowded_organizations(db):
    """Three organizations due at ``AT`` (Monday 09:00 UTC), 12 members with a due key result."""
    members = []
    for slug in ("north", "south", "east"):
        organization = OrganizationFactory(name=slug.title(), slug=slug)
        cycle = CycleFactory(organization=organization)
        cycle.start_date, cycle.end_date = AT.date().replace(day=1), AT.date().replace(day=30)
        cycle.save()
        for _ in range(MEMBERS_PER_ORGANIZATION):
            member = MembershipFactory(organization=organization)
            key_result_for(member, cycle)
            members.append(member)
    return members


def test_two_threads_racing_over_the_same_batches_send_each_reminder_once(
    crowded_organizations, mailoutbox
):
    start = threading.Barrier(2)
    reports = []

    def run():
        try:
            start.wait()
            reports.append(reminders.send_reminders(AT, batch_size=4))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    recipients = [message.to[0] for message in mailoutbox]
    assert len(recipients) == len(crowded_organizations)
    assert set(recipients) == {member.user.email for member in crowded_organizations}
    assert sum(len(report.sent) for report in reports) == len(crowded_organizations)
    assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {"sent"}


@pytest.fixture
def two_workers(tmp_path):
    """Two ``celery worker`` processes; batches of 4 so each organization fans out."""
    with worker_processes(count=2, email_dir=tmp_path, REMINDER_BATCH_SIZE="4"):
        yield tmp_path


def sent_messages(email_dir) -> list[str]:
    """The recipients of the e-mails the workers wrote, one file per connection."""
    recipients = []
    for path in email_dir.glob("*.log"):
        for message in path.read_text().split("-" * 79):
            for line in message.splitlines():
                if line.startswith("To: "):
                    recipients.append(line.removeprefix("To: ").strip())
    return recipients


def test_two_celery_workers_and_a_double_beat_send_each_reminder_once(
    crowded_organizations, two_workers
):
    # The beat fires twice for the same hour; both land on the two workers.
    tasks.send_checkin_reminders.delay(AT.isoformat())
    tasks.send_checkin_reminders.delay(AT.isoformat())

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if ReminderDelivery.objects.filter(status="sent").count() == len(crowded_organizations):
            break
        time.sleep(0.2)
    time.sleep(1)  # a late duplicate, if there were one, would land now

    recipients = sent_messages(two_workers)
    assert sorted(recipients) == sorted(member.user.email for member in crowded_organizations)
    assert ReminderDelivery.objects.count() == len(crowded_organizations)
