"""A worker killed (SIGKILL) in the middle of a roll-up: its job comes back, nothing stays wrong.

``acks_late`` and ``task_reject_on_worker_lost`` leave the job unacknowledged in
Redis; the drain's nodes wait in its in-flight set (okr/rollups.py). A new worker
gets the job again and every cached progress ends equal to a recomputation.
"""

from __future__ import annotations

import os
import signal
import time
from decimal import Decimal

import pytest
import redis
from django.conf import settings

from accounts.rls import tenant
from okr import services
from okr.models import KeyResult
from tests.factories import CycleFactory
from tests.okr.test_rollup_worker import assert_caches_are_true, build_company
from tests.workers import worker_processes

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

IN_FLIGHT = "okr:roll-up:in-flight:*"


def _wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_a_job_killed_with_its_worker_is_redone_by_the_next(alice, mark, acme, tmp_path):
    cycle = CycleFactory(organization=acme, name="Q4 2026")
    company, leaves = build_company(alice, mark, cycle, departments=2, teams_per_department=3)
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("unacked", "unacked_index", "celery")
    slow = {"CASCADE_TEST_SLOW_ROLL_UPS": "3", "CELERY_VISIBILITY_TIMEOUT": "2"}

    with worker_processes(count=1, concurrency=1, email_dir=tmp_path, **slow) as app:
        (stats,) = app.control.inspect(timeout=5).stats().values()
        for number, leaf in enumerate(leaves):
            with tenant(acme.pk):  # as Mark's check-in requests would be
                services.check_in_record(
                    actor=mark,
                    key_result=KeyResult.objects.get(pk=leaf.pk),
                    value=Decimal(10 + number),
                    confidence="on_track",
                )
        # The worker holds a drain job that has taken its nodes and not committed.
        _wait_until(lambda: broker.keys(IN_FLIGHT), 30, "a drain in flight")
        time.sleep(0.5)
        os.kill(stats["pid"], signal.SIGKILL)
        assert broker.hlen("unacked") >= 1  # died unacknowledged
        assert broker.keys(IN_FLIGHT)  # its nodes are still waiting

    with worker_processes(
        count=1, concurrency=2, email_dir=tmp_path, CELERY_VISIBILITY_TIMEOUT="2"
    ):
        _wait_until(
            lambda: (
                not broker.keys(IN_FLIGHT)
                and not broker.hlen("unacked")
                and not broker.llen("celery")
                and not broker.keys("okr:roll-up:pending:*")
            ),
            90,
            "the redelivered job",
        )

    assert_caches_are_true(acme.pk)
    company.refresh_from_db()
    assert company.progress > 0
