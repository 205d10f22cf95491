"""Benchmark: how fast do check-in reminders go out for a large organization?

Builds one organization of N members (bulk_create), each owning two due key results,
then times ``okr.reminders.send_reminders`` at the organization's check-in hour with
the locmem mail backend (rendering included, SMTP excluded), and counts queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cascade_reminders \\
        .venv/bin/python bench/reminders.py --members 5000

It migrates the database it is pointed at, and removes its organization afterwards.
Figures: docs/reminders.md.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okr.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
# Renders each message to MIME like the locmem backend does, but keeps only a count,
# so the memory figure is the run's own and not an ever-growing outbox.
os.environ["EMAIL_BACKEND"] = "__main__.CountingBackend"

import django

django.setup()

from django.core.mail.backends.base import BaseEmailBackend  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Membership, Organization, User  # noqa: E402
from okr import reminders  # noqa: E402
from okr.models import (  # noqa: E402
    Cycle,
    CycleStatus,
    KeyResult,
    Level,
    Objective,
    ReminderDelivery,
)


class CountingBackend(BaseEmailBackend):
    sent = 0

    def send_messages(self, messages):
        for message in messages:
            message.message()  # what locmem does: build the MIME message
        CountingBackend.sent += len(messages)
        return len(messages)


SLUG = "bench-reminders"
# An hour no seeded organization uses: Thursday 04:00 in Kathmandu (UTC+05:45).
TIMEZONE, WEEKDAY, HOUR = "Asia/Kathmandu", 3, 4
DAY = datetime.date(2026, 12, 3)  # a Thursday


def remove_bench_organization() -> None:
    organization = Organization.objects.filter(slug=SLUG).first()
    if organization is None:
        return
    user_ids = list(organization.memberships.values_list("user_id", flat=True))
    ReminderDelivery.objects.filter(organization=organization).delete()
    KeyResult.objects.filter(organization=organization).delete()
    Objective.objects.filter(organization=organization).delete()
    organization.delete()
    User.objects.filter(pk__in=user_ids, email__endswith="@bench.test").delete()


def build(members: int) -> Organization:
    organization = Organization.objects.create(
        name="Bench Reminders",
        slug=SLUG,
        timezone=TIMEZONE,
        checkin_weekday=WEEKDAY,
        checkin_hour=HOUR,
    )
    cycle = Cycle.objects.create(
        organization=organization,
        name="Q4",
        start_date=datetime.date(2026, 10, 1),
        end_date=datetime.date(2026, 12, 31),
        status=CycleStatus.ACTIVE,
    )
    long_ago = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
    chunk = 2000
    for start in range(0, members, chunk):
        size = min(chunk, members - start)
        users = User.objects.bulk_create(
            User(email=f"member{start + n}@bench.test", name=f"Member {start + n}")
            for n in range(size)
        )
        Membership.objects.bulk_create(
            Membership(user=user, organization=organization) for user in users
        )
        objectives = Objective.objects.bulk_create(
            Objective(
                organization=organization,
                cycle=cycle,
                title=f"Objective of member {start + n}",
                level=Level.PERSONAL,
                owner=user,
            )
            for n, user in enumerate(users)
        )
        KeyResult.objects.bulk_create(
            KeyResult(
                organization=organization,
                objective=objective,
                owner_id=objective.owner_id,
                title=f"Key result {k} of {objective.title}",
                unit="customers",
                target_value=Decimal(100),
                current_value=Decimal(37),
                created_at=long_ago,
            )
            for objective in objectives
            for k in range(2)
        )
    return organization


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument(
        "--trace-memory", action="store_true", help="measure peak memory (slows the run)"
    )
    parser.add_argument(
        "--simulate",
        default="10000x300",
        help="ORGSxMEMBERS: time one organization of MEMBERS, then schedule ORGS of them "
        "due at the same hour on 1, 4, 16 and 64 worker processes ('' to skip)",
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    remove_bench_organization()
    started = time.perf_counter()
    organization = build(args.members)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a bulk load
            cursor.execute("ANALYZE")
    print(f"built {args.members} members in {time.perf_counter() - started:.1f}s")

    at = reminders.first_instant_at(organization.tzinfo, DAY, HOUR)
    assert reminders.is_reminder_hour(organization, at)
    CountingBackend.sent = 0
    if args.trace_memory:
        tracemalloc.start()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report = reminders.send_reminders(at)
        elapsed = time.perf_counter() - started
    if args.trace_memory:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    batches = math.ceil(args.members / reminders.BATCH_SIZE)
    sent = sum(1 for entry in report.sent if entry.organization == SLUG)
    assert sent == args.members == CountingBackend.sent, (sent, CountingBackend.sent)
    print(f"database: {connection.vendor}; batch size {reminders.BATCH_SIZE}; {batches} batches")
    print(f"sent {sent} reminders in {elapsed:.2f}s: {sent / elapsed:.0f} members/s")
    print(
        f"queries: {len(queries)} in all, {(len(queries) - 2) / batches:.1f} per batch "
        "(its page of recipients included)"
    )
    if args.trace_memory:
        print(f"peak Python memory while sending: {peak / 2**20:.1f} MiB (tracemalloc)")

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        again = reminders.send_reminders(at)
        elapsed = time.perf_counter() - started
    print(
        f"re-run: sent {len(again.sent)}, skipped {again.skipped} in {elapsed:.2f}s, "
        f"{len(queries)} queries"
    )
    remove_bench_organization()
    if args.simulate:
        simulate(*(int(part) for part in args.simulate.lower().split("x")))


def simulate(organizations: int, members: int, samples: int = 3) -> None:
    """Measure one organization of ``members``, then schedule ``organizations`` of them.

    At the hour every organization is one ``send_organization_reminders`` job
    (``ceil(members / batch size)`` batches); a worker process takes the next job
    when it is done, so ``K`` processes finish after ``ceil(organizations / K)``
    jobs each. E-mail delivery (SMTP) is not included: each e-mail is its own job.
    """
    timings = []
    for _ in range(samples):
        remove_bench_organization()
        organization = build(members)
        at = reminders.first_instant_at(organization.tzinfo, DAY, HOUR)
        started = time.perf_counter()
        reminders.send_reminders(at)
        timings.append(time.perf_counter() - started)
    remove_bench_organization()
    per_organization = sorted(timings)[len(timings) // 2]
    batches = organizations * math.ceil(members / reminders.BATCH_SIZE)
    print(
        f"simulation: {organizations} organizations × {members} members due at the same hour "
        f"= {organizations * members} reminders in {batches} batches; one organization takes "
        f"{per_organization * 1000:.0f} ms (median of {samples})"
    )
    for workers in (1, 4, 16, 64):
        seconds = math.ceil(organizations / workers) * per_organization
        print(f"  {workers:>3} worker processes: {seconds:,.0f} s ({seconds / 60:.1f} min)")


if __name__ == "__main__":
    main()
