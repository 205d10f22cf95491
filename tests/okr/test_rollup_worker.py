"""The roll-up job: exact under concurrent check-ins through a real worker, and O(depth) queries.

The concurrency story needs PostgreSQL and Redis: people check in on sibling
key results at the same moment, each request in its own connection, and the
roll-up jobs run on a real Celery worker consuming the Redis broker. Once the
queue has drained, every cached value equals the recomputation.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Organization
from accounts.rls import tenant
from okr import progress, rollups, services
from okr.celery import app
from okr.models import Cycle, KeyResult, Level, Objective, ProgressSource
from okr.rollups import take_pending
from okr.tasks import drain_roll_ups, roll_up_progress
from tests.factories import CycleFactory, OrganizationFactory, UserFactory
from tests.workers import running_workers

D = Decimal


def assert_caches_are_true(organization_id: int) -> None:
    objectives, key_results = progress.expected_progress(organization_id)
    assert objectives == dict(
        Objective.objects.filter(organization_id=organization_id).values_list("pk", "progress")
    )
    assert key_results == dict(
        KeyResult.objects.filter(organization_id=organization_id).values_list("pk", "progress")
    )


# --- Many check-ins at once, a real worker ------------------------------------------------


@pytest.fixture
def real_worker(monkeypatch):
    """A Celery worker on the Redis broker; yields the results of every job enqueued."""
    results = []
    lock = threading.Lock()

    def recording(original_apply_async):
        def recording_apply_async(*args, **kwargs):
            result = original_apply_async(*args, **kwargs)
            with lock:
                results.append(result)
            return result

        return recording_apply_async

    # At apply_async, which .delay calls too: a drain within the interval of the last one
    # is enqueued with a countdown (okr/rollups.py).
    for task in (roll_up_progress, drain_roll_ups):
        monkeypatch.setattr(task, "apply_async", recording(task.apply_async))

    # Widen the window between a job's reads and its writes, so that jobs that were not
    # serialized would interleave and write values computed from stale reads.
    for rule in ("objective_progress", "aligned_progress"):
        monkeypatch.setattr(progress, rule, slowly(getattr(progress, rule)))

    with running_workers(concurrency=8):
        yield results


def wait_for_roll_ups(results: list, organization_id: int) -> None:
    """Until every job enqueued so far (and any job those enqueued) has answered."""
    answered = 0
    while answered < len(results):
        for result in list(results[answered:]):
            result.get(timeout=60)
            answered += 1
    assert take_pending(organization_id) == ([], [])  # nothing left behind


def slowly(rule):
    def slow_rule(values):
        values = list(values)
        time.sleep(random.choice([0, 0.02]))  # some jobs stall, so that others overtake them
        return rule(values)

    return slow_rule


def build_company(alice, mark, cycle, *, departments: int, teams_per_department: int):
    """Company ← departments ← teams, each team objective with three measured siblings."""
    company = services.objective_create(actor=alice, cycle=cycle, title="Win", level=Level.COMPANY)
    company_kr = services.key_result_create(
        actor=alice, objective=company, title="Departments deliver", progress_source="aligned"
    )
    leaves = []
    for d in range(departments):
        department = services.objective_create(
            actor=alice,
            cycle=cycle,
            title=f"Department {d}",
            level=Level.COMPANY,
            parent_key_result=company_kr,
        )
        department_kr = services.key_result_create(
            actor=alice, objective=department, title="Teams deliver", progress_source="aligned"
        )
        for t in range(teams_per_department):
            team = services.objective_create(
                actor=alice,
                cycle=cycle,
                title=f"Team {d}.{t}",
                level=Level.COMPANY,
                parent_key_result=department_kr,
            )
            for k in range(3):
                leaves.append(
                    services.key_result_create(
                        actor=alice,
                        objective=team,
                        title=f"Leaf {d}.{t}.{k}",
                        start_value=D(100) if k == 2 else D(0),
                        target_value=D(0) if k == 2 else D(50),  # one "decrease to" each
                        weight=D(k + 1),
                        owner=mark.user,
                    )
                )
    return company, leaves


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_stays_exact_under_concurrent_check_ins_on_siblings(alice, mark, acme, real_worker):
    cycle = CycleFactory(organization=acme, name="Q4 2026")
    company, leaves = build_company(alice, mark, cycle, departments=2, teams_per_department=4)
    jobs_of_the_build = len(real_worker)
    barrier = threading.Barrier(len(leaves))
    errors: list[BaseException] = []

    def check_in_repeatedly(key_result: KeyResult, seed: int) -> None:
        rng = random.Random(seed)
        try:
            barrier.wait(timeout=30)
            for _ in range(3):
                with tenant(acme.pk):  # as a request of Acme's would be
                    services.check_in_record(
                        actor=mark,
                        key_result=KeyResult.objects.get(pk=key_result.pk),
                        value=D(rng.randrange(0, 120)),
                        confidence=rng.choice(["on_track", "at_risk", "off_track"]),
                    )
        except BaseException as error:  # surfaced in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=check_in_repeatedly, args=(kr, i)) for i, kr in enumerate(leaves)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors

    jobs = len(real_worker) - jobs_of_the_build
    assert 1 <= jobs <= 3 * len(leaves)  # coalesced: at most one job per check-in
    wait_for_roll_ups(real_worker, acme.pk)

    assert_caches_are_true(acme.pk)
    company.refresh_from_db()
    assert company.progress > 0


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_coalesces_the_check_ins_of_one_organization_into_one_job(
    alice, mark, acme, monkeypatch
):
    """Twelve check-ins while no drain has run: one job, one batch, exact values."""
    cycle = CycleFactory(organization=acme, name="Q4 2026")
    company, leaves = build_company(alice, mark, cycle, departments=2, teams_per_department=2)
    take_pending(acme.pk)  # nothing left over from another run
    enqueued = []
    monkeypatch.setattr(
        drain_roll_ups, "delay", lambda organization_id: enqueued.append(organization_id)
    )
    monkeypatch.setitem(app.conf, "task_always_eager", False)

    for i, leaf in enumerate(leaves):
        services.check_in_record(
            actor=mark, key_result=leaf, value=D(10 + 7 * i), confidence="on_track"
        )

    assert enqueued == [acme.pk]  # the first check-in scheduled the drain; the rest joined it
    with CaptureQueriesContext(connection) as batch:
        report = drain_roll_ups(acme.pk)
    assert report["nodes"] == 4  # the four team objectives the leaves belong to
    assert_caches_are_true(acme.pk)
    assert Objective.objects.get(pk=company.pk).progress > 0

    services.check_in_record(actor=mark, key_result=leaves[0], value=D(50), confidence="on_track")
    assert enqueued == [acme.pk, acme.pk]  # drained: the next write schedules a new job
    with CaptureQueriesContext(connection) as single:
        drain_roll_ups(acme.pk)
    assert_caches_are_true(acme.pk)
    # A batch costs what one check-in's roll-up costs: one group of queries per level.
    assert len(batch) <= len(single) + 2, (len(batch), len(single))


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_drain_soon_after_another_waits_out_the_interval_to_gather_a_batch(
    alice, mark, acme, monkeypatch
):
    """Idle, a drain starts at once; within DRAIN_INTERVAL_MS of a worker's drain, at its end."""
    cycle = CycleFactory(organization=acme, name="Q4 2026")
    company, leaves = build_company(alice, mark, cycle, departments=1, teams_per_department=3)
    take_pending(acme.pk)  # nothing left over from another run
    rollups._redis().delete(rollups._started_key(acme.pk))
    at_once, later = [], []
    monkeypatch.setattr(drain_roll_ups, "delay", lambda organization_id: at_once.append(1))
    monkeypatch.setattr(
        drain_roll_ups, "apply_async", lambda args, countdown: later.append(countdown)
    )
    monkeypatch.setitem(app.conf, "task_always_eager", False)

    def check_in(leaf, value):
        services.check_in_record(actor=mark, key_result=leaf, value=D(value), confidence="on_track")

    def worker_drain(job_id):
        with tenant(acme.pk):
            return rollups.drain(acme.pk, job_id=job_id)

    check_in(leaves[0], 10)
    assert (at_once, later) == ([1], [])  # idle: at once
    assert worker_drain("job-1")["nodes"] == 1

    check_in(leaves[3], 20)  # just after a drain started: for the end of its interval
    check_in(leaves[6], 30)  # joins the scheduled one
    assert at_once == [1] and len(later) == 1
    assert 0 < later[0] <= rollups.DRAIN_INTERVAL_MS / 1000
    time.sleep(later[0])
    assert worker_drain("job-2")["nodes"] == 2  # one batch for both
    assert_caches_are_true(acme.pk)

    time.sleep(rollups.DRAIN_INTERVAL_MS / 1000 + 0.05)
    check_in(leaves[1], 40)  # idle again: at once
    assert at_once == [1, 1] and len(later) == 1
    worker_drain("job-3")
    assert_caches_are_true(acme.pk)
    assert not rollups._redis().keys(f"okr:roll-up:in-flight:{acme.pk}:*")
    assert Objective.objects.get(pk=company.pk).progress > 0


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_it_serializes_the_roll_ups_of_one_organization(alice, acme, monkeypatch):
    """Two jobs on sibling teams, the first paused between reading and writing their parent.

    Unserialized, each would compute the department's key result without the other's
    team and the last writer would leave it stale; the advisory lock makes the second
    wait for the first and read its writes.
    """
    cycle = CycleFactory(organization=acme)
    owner = alice.user
    department = Objective.objects.create(
        organization=acme, cycle=cycle, title="Department", level=Level.COMPANY, owner=owner
    )
    department_kr = KeyResult.objects.create(
        organization=acme,
        objective=department,
        title="Teams deliver",
        owner=owner,
        target_value=D(100),
        progress_source=ProgressSource.ALIGNED,
    )
    teams = []
    for name in ("Team 1", "Team 2"):
        team = Objective.objects.create(
            organization=acme,
            cycle=cycle,
            title=name,
            level=Level.COMPANY,
            owner=owner,
            parent_key_result=department_kr,
        )
        # As if a check-in had just committed: the leaf is at 100 %, the ancestors lag.
        KeyResult.objects.create(
            organization=acme,
            objective=team,
            title=f"{name} leaf",
            owner=owner,
            target_value=D(10),
            current_value=D(10),
            progress=100.0,
        )
        teams.append(team)

    first_has_read, let_first_write = threading.Event(), threading.Event()
    real_aligned_progress = progress.aligned_progress

    def pausing_aligned_progress(values):
        values = list(values)
        if threading.current_thread().name == "first":
            first_has_read.set()
            let_first_write.wait(timeout=10)
        return real_aligned_progress(values)

    monkeypatch.setattr(progress, "aligned_progress", pausing_aligned_progress)

    def job(objective):
        try:
            with tenant(acme.pk):  # as the roll-up task does
                progress.roll_up(organization_id=acme.pk, objective_ids=[objective.pk])
        finally:
            connection.close()

    first = threading.Thread(target=job, args=(teams[0],), name="first")
    second = threading.Thread(target=job, args=(teams[1],), name="second")
    first.start()
    assert first_has_read.wait(timeout=10)
    second.start()
    second.join(timeout=1)  # with the lock it waits for the first job; let it try
    let_first_write.set()
    first.join(timeout=10)
    second.join(timeout=10)

    assert KeyResult.objects.get(pk=department_kr.pk).progress == 100.0
    assert Objective.objects.get(pk=department.pk).progress == 100.0
    assert_caches_are_true(acme.pk)


# --- Query counts: O(depth), whatever the size of the organization ---------------------------


def build_chain(organization: Organization, depth: int) -> Objective:
    """A chain ``depth`` objectives deep, each supporting an aligned key result of the one above.

    Written with the ORM (the services are not what is measured); returns the bottom objective,
    which carries a measured key result.
    """
    owner = UserFactory()
    cycle = Cycle.objects.filter(organization=organization).first() or CycleFactory(
        organization=organization
    )
    parent = None
    for level in range(depth):
        objective = Objective.objects.create(
            organization=organization,
            cycle=cycle,
            title=f"Level {level}",
            level=Level.COMPANY,
            owner=owner,
            parent_key_result=parent,
        )
        parent = KeyResult.objects.create(
            organization=organization,
            objective=objective,
            title=f"Aligned {level}",
            owner=owner,
            target_value=D(100),
            progress_source=ProgressSource.ALIGNED,
        )
    KeyResult.objects.create(
        organization=organization,
        objective=objective,
        title="Leaf",
        owner=owner,
        start_value=D(0),
        target_value=D(10),
        current_value=D(5),
        progress=50.0,
    )
    return objective


def add_bystanders(organization: Organization, count: int) -> None:
    """``count`` more objectives, each with two key results: the rest of a big organization."""
    owner = UserFactory()
    cycle = CycleFactory(organization=organization)
    objectives = Objective.objects.bulk_create(
        Objective(
            organization=organization, cycle=cycle, title=f"Other {i}", level="company", owner=owner
        )
        for i in range(count)
    )
    KeyResult.objects.bulk_create(
        KeyResult(
            organization=organization,
            objective=objective,
            title="Other KR",
            owner=owner,
            target_value=D(10),
        )
        for objective in objectives
        for _ in range(2)
    )


def roll_up_queries(organization: Organization, bottom: Objective) -> int:
    # Reset the chain so that every level really changes and writes.
    Objective.objects.filter(organization=organization).update(progress=0.0)
    KeyResult.objects.filter(organization=organization, progress_source="aligned").update(
        progress=0.0
    )
    with CaptureQueriesContext(connection) as queries:
        roll_up_progress.delay(organization.pk, [bottom.pk], [])
    assert_caches_are_true(organization.pk)
    return len(queries)


@pytest.mark.django_db
def test_it_does_not_grow_with_the_size_of_the_organization():
    small = OrganizationFactory(name="Small", slug="small")
    large = OrganizationFactory(name="Large", slug="large")
    small_bottom = build_chain(small, depth=4)
    large_bottom = build_chain(large, depth=4)
    add_bystanders(small, 10 - 4)
    add_bystanders(large, 1000 - 4)
    assert Objective.objects.filter(organization=large).count() == 1000

    small_count = roll_up_queries(small, small_bottom)
    large_count = roll_up_queries(large, large_bottom)
    assert small_count == large_count


@pytest.mark.django_db
def test_it_pins_the_queries_of_a_check_in_and_its_roll_up(
    alice, acme, django_assert_max_num_queries, run_on_commit
):
    bottom = build_chain(acme, depth=4)
    leaf = KeyResult.objects.get(objective=bottom, title="Leaf")
    # The check-in: 8 queries (its savepoint, the objective and cycle for the rules, the locked
    # key result, the check-in, the key result, the activity). The roll-up: its savepoint and
    # the lock (PostgreSQL), then read, read the children, write — for 4 objectives and the
    # 3 aligned key results between them.
    with django_assert_max_num_queries(8 + 3 + 3 * (4 + 3)), run_on_commit():
        services.check_in_record(actor=alice, key_result=leaf, value=D(9), confidence="on_track")
    assert_caches_are_true(acme.pk)
    # The bottom objective also has an aligned key result without supporters (0 %).
    assert Objective.objects.get(title="Level 0").progress == 45.0


@pytest.mark.django_db
def test_it_grows_only_linearly_with_depth():
    counts = []
    for depth in (3, 6, 9, 12):
        organization = OrganizationFactory(name=f"Depth {depth}", slug=f"depth-{depth}")
        counts.append(roll_up_queries(organization, build_chain(organization, depth=depth)))
    steps = {later - earlier for earlier, later in itertools.pairwise(counts)}
    assert len(steps) == 1, counts  # the same cost for every three more levels
    assert steps.pop() <= 3 * 6, counts  # at most six queries per level
