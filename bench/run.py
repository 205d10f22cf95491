"""Benchmarks: how Cascade's hot paths behave as an organization grows.

``make bench`` (or ``.venv/bin/python bench/run.py [--sizes 1000,5000]``) seeds
demo organizations of each size with ``manage.py seed_demo`` (four levels deep,
so sizes compare), then times, per size:

- a check-in (the request's part: the service call and its transaction),
- the roll-up job it enqueues (O(depth): the same cost at every size),
- ``recompute_all`` (the nightly reconcile: the whole organization),
- the API tree (``GET /api/v1/orgs/<slug>/tree/?cycle=…``) and the HTML tree page,

and prints a table (milliseconds; queries in parentheses). Without
``DATABASE_URL`` it uses a throw-away SQLite file; point ``DATABASE_URL`` at
PostgreSQL to measure production's engine. Tasks run in-process: the roll-up
is timed directly, not through a broker.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from contextlib import contextmanager

from in_process import setup_django

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Membership  # noqa: E402
from okr import progress, services  # noqa: E402
from okr.demo import admin_email  # noqa: E402
from okr.models import CycleStatus, KeyResult, Level, Objective  # noqa: E402
from okr.services import check_ins as check_ins_service  # noqa: E402

SAMPLES = 20


@contextmanager
def measured(sink: list):
    """Append ``(milliseconds, queries)`` of the block to ``sink``.

    Queries are counted by an execute wrapper: Django's query capture writes out
    each statement's SQL with its parameters, which for the tree's arrays of
    thousands of ids cost more than the request it measured.
    """
    count = 0

    def counting(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        started = time.perf_counter()
        yield
        elapsed = (time.perf_counter() - started) * 1000
    sink.append((elapsed, count))


def summary(samples: list) -> str:
    times = sorted(ms for ms, _ in samples)
    queries = max(q for _, q in samples)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return f"{statistics.median(times):.1f} / {p95:.1f} ({queries})"


def bench_size(objectives: int, seed: int) -> dict:
    slug = f"bench-{objectives}"
    teams = max(6, objectives // 125)
    started = time.perf_counter()
    call_command(
        "seed_demo",
        org=slug,
        teams=teams,
        objectives=objectives,
        key_results_per_objective=3,
        check_ins_per_key_result=4,
        seed=seed,
        replace=True,
        stdout=open(os.devnull, "w"),  # noqa: SIM115 - the command's own output is not the point
    )
    seeded = time.perf_counter() - started

    admin = Membership.objects.select_related("organization", "user").get(
        user__email=admin_email(slug), organization__slug=slug
    )
    organization = admin.organization
    cycle = organization.cycles.get(status=CycleStatus.ACTIVE)
    leaves = list(
        KeyResult.objects.filter(
            organization=organization,
            objective__cycle=cycle,
            objective__level=Level.PERSONAL,
            progress_source="measured",
            metric__in=["number", "percent", "currency"],
        )
        .select_related("objective__cycle", "owner")
        .order_by("pk")[:SAMPLES]
    )

    check_ins, roll_ups = [], []
    # The job is timed on its own below: the service's own reference is the one to stub.
    real_schedule = check_ins_service.schedule_roll_up
    check_ins_service.schedule_roll_up = lambda **kwargs: None
    try:
        for i, leaf in enumerate(leaves):
            value = leaf.start_value + (leaf.target_value - leaf.start_value) * (i % 10) / 10
            with measured(check_ins), transaction.atomic():
                services.check_in_record(
                    actor=admin, key_result=leaf, value=value.quantize(1), confidence="on_track"
                )
            with measured(roll_ups):
                progress.roll_up(organization_id=organization.pk, objective_ids=[leaf.objective_id])
    finally:
        check_ins_service.schedule_roll_up = real_schedule

    reconciles = []
    for _ in range(3):
        with measured(reconciles):
            report = progress.recompute_all(organization_id=organization.pk)
        assert report.corrected == 0, "the roll-ups left a cached value wrong"

    client = Client()
    client.force_login(admin.user)
    api_trees, html_trees = [], []
    for _ in range(5):
        with measured(api_trees):
            response = client.get(f"/api/v1/orgs/{slug}/tree/", {"cycle": cycle.pk})
        assert response.status_code == 200, response.status_code
        with measured(html_trees):
            response = client.get(f"/o/{slug}/tree/", {"cycle": cycle.pk})
        assert response.status_code == 200, response.status_code

    return {
        "objectives": Objective.objects.filter(organization=organization).count(),
        "key_results": KeyResult.objects.filter(organization=organization).count(),
        "seed": f"{seeded:.1f}",
        "check_in": summary(check_ins),
        "roll_up": summary(roll_ups),
        "recompute_all": summary(reconciles),
        "api_tree": summary(api_trees),
        "html_tree": summary(html_trees),
    }


COLUMNS = [
    ("objectives", "objectives"),
    ("key_results", "key results"),
    ("seed", "seed_demo s"),
    ("check_in", "check-in ms"),
    ("roll_up", "roll-up job ms"),
    ("recompute_all", "recompute_all ms"),
    ("api_tree", "API tree ms"),
    ("html_tree", "tree page ms"),
]


def print_table(rows: list[dict]) -> None:
    header = [title for _, title in COLUMNS]
    body = [[str(row[key]) for key, _ in COLUMNS] for row in rows]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for line in body:
        print("| " + " | ".join(line) + " |")
    print()
    print("Times are median / p95 in milliseconds over the samples; (n) is the most queries seen.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000", help="objectives per organization")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()

    call_command("migrate", verbosity=0, interactive=False)
    engine = connection.vendor
    print(f"Cascade benchmarks on {engine} ({connection.settings_dict['NAME']})\n")
    rows = []
    for size in (int(size) for size in arguments.sizes.split(",")):
        print(f"… {size} objectives", file=sys.stderr, flush=True)
        rows.append(bench_size(size, arguments.seed))
    print_table(rows)


if __name__ == "__main__":
    main()
