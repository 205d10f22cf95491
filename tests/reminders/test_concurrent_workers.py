"""Exactly once under a real race: two workers on PostgreSQL and Redis, and a double beat."""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import connections

from okr import reminders, tasks
from okr.celery import app
from okr.models import ReminderDelivery
from tests.factories import CycleFactory, MembershipFactory, OrganizationFactory
from tests.reminders.conftest import AT, key_result_for

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
def two_workers(monkeypatch):
    """Two real Celery workers on the Redis broker, the app out of eager mode meanwhile."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from celery.worker import state as worker_state

    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(
        task_always_eager=False,
        broker_url=settings.REDIS_URL,
        result_backend=settings.REDIS_URL,
    )
    # Small batches: each organization fans out into several batch tasks.
    monkeypatch.setattr(reminders, "BATCH_SIZE", 4)

    def close_connections(**kwargs):  # a worker thread's connection must not outlive the test
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    app.control.purge()

    def idle() -> bool:
        with app.connection_for_write() as connection:
            queued = connection.default_channel.client.llen("celery")
        return queued == 0 and not worker_state.active_requests

    try:
        with (
            start_worker(
                app, perform_ping_check=False, shutdown_timeout=30, hostname="reminders-a@test"
            ),
            start_worker(
                app, perform_ping_check=False, shutdown_timeout=30, hostname="reminders-b@test"
            ),
        ):
            yield idle
    finally:
        task_postrun.disconnect(close_connections)
        app.conf.update(saved)


def test_two_celery_workers_and_a_double_beat_send_each_reminder_once(
    crowded_organizations, two_workers, mailoutbox
):
    idle = two_workers
    # The beat fires twice for the same hour; both land on the two workers.
    tasks.send_checkin_reminders.delay(AT.isoformat())
    tasks.send_checkin_reminders.delay(AT.isoformat())

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = ReminderDelivery.objects.filter(status="sent").count()
        if done == len(crowded_organizations) and idle():
            time.sleep(0.5)  # let a late duplicate task finish, if any
            if idle():
                break
        time.sleep(0.2)

    recipients = [message.to[0] for message in mailoutbox]
    assert len(recipients) == len(crowded_organizations)
    assert set(recipients) == {member.user.email for member in crowded_organizations}
    assert ReminderDelivery.objects.count() == len(crowded_organizations)
