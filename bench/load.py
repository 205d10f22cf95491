"""The load stage of ``make bench``: Cascade under the production shape, on one machine.

For each revision measured (the working tree, and with ``--baseline REV`` an
older revision first, exported with ``git archive`` into a temporary
directory), it:

1. seeds an organization with ``manage.py seed_demo`` (1,200 objectives and
   four key results each by default: about 4,750 key results in the active
   quarter) in its own PostgreSQL database (``<name>_baseline`` for the
   baseline, so that migrations of two revisions never meet);
2. times the API tree in-process (microseconds per node), every revision one
   after the other before any load;
3. starts gunicorn (2 workers) on 127.0.0.1 and one Celery worker on Redis;
4. drives each request of the table with Locust — headless, 4 users, a
   bounded run — and reads requests/s, p50 and p95 from its CSV, each also as
   a ratio of ``/healthz`` measured right before it (``HEALTHZ_BESIDE``);
5. times the roll-up: from a check-in's 201 to the moment the company
   objective above it holds a new stored value, idle and while Locust sends
   60 check-ins/s on other branches of the cascade;
6. on a second organization of 20,000 key results, measures the peak
   resident memory of the gunicorn worker that answers its API tree
   (``VmHWM``).

Every process it starts is tracked by pid and stopped by pid, also on Ctrl-C.
Needs ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``; the bench extra
(``pip install -e '.[bench]'``) brings Locust. Run it with ``make bench`` or
``.venv/bin/python bench/load.py [--baseline main~5] [--duration 15]``.
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
HOST = "127.0.0.1"

ROWS = [
    ("healthz", "`/healthz`"),
    ("dashboard", "dashboard"),
    ("tree-page", "tree page"),
    ("objective-page", "objective page (team objective)"),
    ("api-tree", "API tree of the cycle"),
    ("api-tree-polling", "API tree, polling with If-None-Match"),
    ("api-check-in", "API check-in"),
]

# Seconds of /healthz measured right before each row, as that row's ratio's denominator.
# The machine's speed drifts within a run (a shared 2-vCPU machine), and the last rows
# run minutes after the first /healthz (docs/performance.md).
HEALTHZ_BESIDE = 5

# Runs inside the measured revision (cwd = its tree, DJANGO_SETTINGS_MODULE set): only
# what every revision has — seed_demo, ApiToken.issue, the session engine.
SETUP_CODE = r"""
import json, os, sys
from importlib import import_module
import django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management import call_command
from accounts.models import ApiToken, Membership
from okr.demo import admin_email
from okr.models import CycleStatus, KeyResult, Objective

slug, objectives, per_objective = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
call_command("migrate", verbosity=0, interactive=False)
call_command(
    "seed_demo", org=slug, teams=max(6, objectives // 125), objectives=objectives,
    key_results_per_objective=per_objective, check_ins_per_key_result=4, seed=1,
    replace=True, stdout=open(os.devnull, "w"),
)
from django.db import connection
with connection.cursor() as cursor:  # what autovacuum does after a bulk load
    # VACUUM too: the previous run's organization was just deleted, and the planner
    # probes index ends through its dead entries (6 ms of planning per query, seen).
    cursor.execute("VACUUM ANALYZE")
admin = Membership.objects.select_related("organization", "user").get(
    user__email=admin_email(slug), organization__slug=slug
)
organization = admin.organization
cycle = organization.cycles.get(status=CycleStatus.ACTIVE)
objective_rows = {
    row["id"]: row
    for row in Objective.objects.filter(organization=organization).values(
        "id", "level", "parent_key_result_id", "position"
    )
}
kr_rows = {
    row["id"]: row
    for row in KeyResult.objects.filter(organization=organization).values(
        "id", "objective_id", "objective__cycle_id", "objective__level", "progress_source",
        "metric", "start_value", "target_value",
    )
}

def company_of(objective_id):
    seen = set()
    while objective_id not in seen:
        seen.add(objective_id)
        parent = objective_rows[objective_id]["parent_key_result_id"]
        if parent is None:
            return objective_id
        objective_id = kr_rows[parent]["objective_id"]
    return objective_id

leaves = [
    row for row in kr_rows.values()
    if row["objective__cycle_id"] == cycle.pk and row["objective__level"] == "personal"
    and row["progress_source"] == "measured" and row["metric"] != "milestone"
]
leaves.sort(key=lambda row: row["id"])
companies = sorted({company_of(row["objective_id"]) for row in leaves})
probe_company = companies[-1]
probe = [row for row in leaves if company_of(row["objective_id"]) == probe_company]
load = [row for row in leaves if company_of(row["objective_id"]) != probe_company]
team_objective = (
    Objective.objects.filter(organization=organization, cycle=cycle, level="team")
    .order_by("position", "id").values_list("id", flat=True).first()
)
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(admin.user.pk)
from django.utils.module_loading import import_string
store[BACKEND_SESSION_KEY] = next(
    path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user")
)
store[HASH_SESSION_KEY] = admin.user.get_session_auth_hash()
store.create()
_, raw = ApiToken.issue(admin.user)
as_json = lambda row: {
    "id": row["id"], "start": float(row["start_value"]), "target": float(row["target_value"])
}
print(json.dumps({
    "slug": slug, "organization": organization.pk, "cycle": cycle.pk,
    "objectives": Objective.objects.filter(organization=organization, cycle=cycle).count(),
    "key_results": KeyResult.objects.filter(organization=organization, objective__cycle=cycle).count(),
    "team_objective": team_objective,
    "session_cookie": settings.SESSION_COOKIE_NAME, "session_key": store.session_key,
    "token": raw, "probe_company": probe_company,
    "probe_key_results": [as_json(row) for row in probe[:50]],
    "load_key_results": [as_json(row) for row in load],
}))
"""

# In-process: the API tree through Django's test client, as the view answers it after a
# write (revisions that keep the answer under the organization's version get it moved
# before each request, so each one renders; the forecasts stay warm either way). The
# first requests warm the process up, as a worker's first requests do (statements are
# prepared from their fifth run, the first tree computes every forecast), and are not
# timed: the figure is the steady state.
INPROCESS_CODE = r"""
import json, statistics, sys, time
import okr.wsgi  # the process as gunicorn starts it: Django set up, and what the entry point adds
from django.test import Client
from accounts.models import User
try:
    from okr.versions import organization_version_bump
except ImportError:  # a revision before the versions: nothing is kept
    organization_version_bump = lambda organization_id: None
setup = json.load(open(sys.argv[1]))
client = Client()
client.cookies[setup["session_cookie"]] = setup["session_key"]
path = f"/api/v1/orgs/{setup['slug']}/tree/"
WARM_UP = 5
times = []
for run in range(WARM_UP + int(sys.argv[2])):
    organization_version_bump(setup["organization"])
    started = time.perf_counter()
    response = client.get(path, {"cycle": setup["cycle"]})
    if run >= WARM_UP:
        times.append(time.perf_counter() - started)
    assert response.status_code == 200, response.status_code
body = json.loads(response.content)
nodes, stack = 0, list(body["objectives"])
while stack:
    objective = stack.pop()
    nodes += 1
    for key_result in objective.get("key_results", []):
        nodes += 1
        stack.extend(key_result["children"])
print(json.dumps({"ms": statistics.median(times) * 1000, "nodes": nodes, "bytes": len(response.content)}))
"""


# --- Processes ---------------------------------------------------------------------


class Processes:
    """Every process the bench starts, so that each is stopped by its pid."""

    def __init__(self) -> None:
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], *, env: dict, cwd: Path, log: Path):
        handle = open(log, "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=handle, stderr=handle)
        self.running.append((name, process))
        return process

    def stop(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running = [(n, p) for n, p in self.running if p is not process]

    def stop_all(self) -> None:
        for _, process in reversed(list(self.running)):
            self.stop(process)


PROCESSES = Processes()
atexit.register(PROCESSES.stop_all)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))


# --- One revision ------------------------------------------------------------------


@dataclass
class Target:
    label: str
    tree: Path
    database_url: str
    port: int
    results: dict = field(default_factory=dict)

    def env(self, **extra: str) -> dict:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="okr.settings",
            DATABASE_URL=self.database_url,
            PYTHONPATH=str(self.tree),
            DEBUG="false",
            SECRET_KEY="bench-only-secret-key-not-for-production-0123456789abcdef",
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            SECURE_SSL_REDIRECT="false",
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
            LOG_LEVEL="WARNING",
            AUTH_THROTTLE_RATE="100000/minute",
        )
        env.update(extra)
        return env


def database_url_for(base: str, suffix: str) -> str:
    if not suffix:
        return base
    parts = urlsplit(base)
    name = parts.path.lstrip("/") + suffix
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def export_revision(revision: str) -> Path:
    directory = Path(tempfile.mkdtemp(prefix="cascade-baseline-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision],
        check=True,
        capture_output=True,
    ).stdout
    archive_path = directory / "tree.tar"
    archive_path.write_bytes(archive)
    with tarfile.open(archive_path) as tar:
        tar.extractall(directory / "tree", filter="data")
    archive_path.unlink()
    return directory / "tree"


def run_python(target: Target, code: str, *args: str, log: Path) -> dict:
    completed = subprocess.run(
        [PYTHON, "-c", code, *args],
        env=target.env(),
        cwd=target.tree,
        capture_output=True,
        text=True,
    )
    log.open("a").write(completed.stderr)
    if completed.returncode:
        raise SystemExit(f"{target.label}: the bench step failed, see {log}\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def wait_for_http(port: int, path: str = "/healthz", timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn on {port} did not answer {path}")


def start_gunicorn(target: Target, workers: int, log: Path) -> subprocess.Popen:
    argv = [
        PYTHON, "-m", "gunicorn", "okr.wsgi",
        "--bind", f"{HOST}:{target.port}",
        "--workers", str(workers),
        "--chdir", str(target.tree),
    ]  # fmt: skip
    process = PROCESSES.start("gunicorn", argv, env=target.env(), cwd=target.tree, log=log)
    wait_for_http(target.port)
    return process


def start_worker(target: Target, log: Path) -> subprocess.Popen:
    argv = [PYTHON, "-m", "celery", "-A", "okr", "worker", "--loglevel=WARNING"]
    return PROCESSES.start("celery", argv, env=target.env(), cwd=target.tree, log=log)


def locust(
    target: Target, setup_file: Path, request: str, *, seconds: float, users: int, rate: float,
    workdir: Path, background: bool = False, name: str | None = None,
):  # fmt: skip
    prefix = workdir / f"{target.label}-{name or request}"
    argv = [
        str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
        "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{round(seconds)}s",
        "--host", f"http://{HOST}:{target.port}", "--csv", str(prefix), "--only-summary",
        "--loglevel", "WARNING", "--stop-timeout", "5",
    ]  # fmt: skip
    env = dict(os.environ, BENCH_SETUP=str(setup_file), BENCH_REQUEST=request)
    if rate:
        env["BENCH_RATE"] = str(rate)
    log = workdir / f"{target.label}-locust.log"
    process = PROCESSES.start("locust", argv, env=env, cwd=workdir, log=log)
    if background:
        return process, prefix
    process.wait()
    PROCESSES.stop(process)
    return read_locust_csv(prefix)


def read_locust_csv(prefix: Path) -> dict:
    import csv

    with open(f"{prefix}_stats.csv") as handle:
        rows = [row for row in csv.DictReader(handle) if row["Name"] != "Aggregated"]
    if not rows:
        return {"rps": 0.0, "p50": float("nan"), "p95": float("nan"), "failures": 0, "count": 0}
    row = rows[0]
    return {
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "failures": int(row["Failure Count"]),
        "count": int(row["Request Count"]),
    }


def check_in(target: Target, setup: dict, key_result: dict, value: float) -> None:
    connection = http.client.HTTPConnection(HOST, target.port, timeout=30)
    body = json.dumps({"value": value, "confidence": "on_track", "note": ""})
    path = f"/api/v1/orgs/{setup['slug']}/key-results/{key_result['id']}/check-ins/"
    headers = {"Authorization": f"Bearer {setup['token']}", "Content-Type": "application/json"}
    connection.request("POST", path, body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    if response.status != 201:
        raise SystemExit(f"{target.label}: a probe check-in answered {response.status}")


def roll_up_probes(target: Target, setup: dict, *, count: int, until: float | None = None):
    """Milliseconds from each probe check-in's 201 to a new stored value on its company objective.

    The probe's key results all sit under one company objective that the load never
    touches, so only the probe moves its value; each probe swings a leaf between its
    start and its target, which always moves the objectives above it.
    """
    timings = []
    with psycopg.connect(target.database_url, autocommit=True) as connection:

        def company_progress() -> float:
            return connection.execute(
                "SELECT progress FROM okr_objective WHERE id = %s", [setup["probe_company"]]
            ).fetchone()[0]

        probes = setup["probe_key_results"]
        for i in range(count):
            if until is not None and time.monotonic() > until:
                break
            key_result = probes[i % len(probes)]
            before = company_progress()
            (current,) = connection.execute(
                "SELECT current_value FROM okr_keyresult WHERE id = %s", [key_result["id"]]
            ).fetchone()
            at_target = float(current) == key_result["target"]
            value = key_result["start"] if at_target else key_result["target"]
            check_in(target, setup, key_result, value)
            answered = time.perf_counter()
            deadline = answered + 60
            while company_progress() == before and time.perf_counter() < deadline:
                time.sleep(0.002)
            timings.append((time.perf_counter() - answered) * 1000)
            time.sleep(0.1)
    return timings


def drain_queue(arguments, timeout: float = 180) -> None:
    """Wait until the broker's queue is empty and the last jobs had time to finish."""
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    deadline = time.monotonic() + timeout
    while client.llen("celery") and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(2)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def worker_peak_rss(master: subprocess.Popen) -> int:
    """The largest peak resident set (kB) among the gunicorn master's workers."""
    peaks = []
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]))
    return max(peaks)


def seed(target: Target, arguments, workdir: Path) -> None:
    log = workdir / f"{target.label}.log"
    print(f"… {target.label}: seeding {arguments.objectives} objectives", file=sys.stderr)
    setup = run_python(target, SETUP_CODE, "load", str(arguments.objectives), "4", log=log)
    (workdir / f"{target.label}-setup.json").write_text(json.dumps(setup))
    target.results["size"] = (setup["objectives"], setup["key_results"])


def flush_redis() -> None:
    subprocess.run(
        [PYTHON, "-c", "import redis,sys; redis.Redis.from_url(sys.argv[1]).flushdb()",
         os.environ["REDIS_URL"]],
        check=True,
    )  # fmt: skip


def measure_in_process(target: Target, workdir: Path) -> None:
    # The median of 15 after 5 to warm up: on a shared 2-vCPU machine single runs vary by
    # a quarter. Every revision is timed here, one after the other, before any load
    # stage: this machine slows down under minutes of sustained load, and a revision
    # timed after another's load stage read up to 1.6 times slower (docs/performance.md).
    setup_file = workdir / f"{target.label}-setup.json"
    log = workdir / f"{target.label}.log"
    print(f"… {target.label}: the API tree in-process", file=sys.stderr)
    flush_redis()  # nothing another revision kept (sessions live in the database too)
    target.results["inprocess"] = run_python(target, INPROCESS_CODE, str(setup_file), "15", log=log)


def measure(target: Target, arguments, workdir: Path) -> None:
    log = workdir / f"{target.label}.log"
    setup_file = workdir / f"{target.label}-setup.json"
    setup = json.loads(setup_file.read_text())
    flush_redis()
    gunicorn = start_gunicorn(target, arguments.workers, log)
    worker = start_worker(target, log)
    time.sleep(3)  # the worker connects to the broker
    try:
        for request, _ in ROWS:
            if arguments.rows and request not in [*arguments.rows.split(","), "healthz"]:
                target.results[request] = None
                continue
            print(f"… {target.label}: {request}", file=sys.stderr)
            if request != "healthz":
                # The ratio's denominator, measured right before the row (see HEALTHZ_BESIDE).
                target.results[f"healthz before {request}"] = locust(
                    target, setup_file, "healthz", seconds=HEALTHZ_BESIDE, users=arguments.users,
                    rate=0, workdir=workdir, name=f"healthz-before-{request}",
                )  # fmt: skip
            target.results[request] = locust(
                target, setup_file, request, seconds=arguments.duration,
                users=arguments.users, rate=0, workdir=workdir,
            )  # fmt: skip
        drain_queue(arguments)  # the idle probes start behind no backlog
        print(f"… {target.label}: roll-up idle", file=sys.stderr)
        target.results["rollup_idle"] = roll_up_probes(target, setup, count=arguments.probes)
        print(f"… {target.label}: roll-up busy", file=sys.stderr)
        seconds = max(20, arguments.duration * 2)
        process, prefix = locust(
            target, setup_file, "api-check-in", seconds=seconds, users=arguments.users,
            rate=arguments.busy_rate / arguments.users, workdir=workdir, background=True,
        )  # fmt: skip
        time.sleep(4)
        target.results["rollup_busy"] = roll_up_probes(
            target, setup, count=10_000, until=time.monotonic() + seconds - 8
        )
        process.wait()
        PROCESSES.stop(process)
        target.results["busy_load"] = read_locust_csv(prefix)
    finally:
        PROCESSES.stop(worker)
        PROCESSES.stop(gunicorn)

    if arguments.memory_key_results:
        objectives = -(-arguments.memory_key_results // 4) + 60
        print(f"… {target.label}: memory, {objectives} objectives", file=sys.stderr)
        big = run_python(target, SETUP_CODE, "load-memory", str(objectives), "4", log=log)
        big_file = workdir / f"{target.label}-memory.json"
        big_file.write_text(json.dumps(big))
        gunicorn = start_gunicorn(target, 1, log)
        try:
            before = worker_peak_rss(gunicorn)
            connection = http.client.HTTPConnection(HOST, target.port, timeout=300)
            started = time.perf_counter()
            connection.request(
                "GET",
                f"/api/v1/orgs/{big['slug']}/tree/?cycle={big['cycle']}",
                headers={"Authorization": f"Bearer {big['token']}"},
            )
            response = connection.getresponse()
            size = len(response.read())
            elapsed = (time.perf_counter() - started) * 1000
            target.results["memory"] = {
                "key_results": big["key_results"],
                "idle_kb": before,
                "peak_kb": worker_peak_rss(gunicorn),
                "status": response.status,
                "bytes": size,
                "ms": elapsed,
            }
        finally:
            PROCESSES.stop(gunicorn)


# --- The report --------------------------------------------------------------------


def print_report(targets: list[Target]) -> None:
    first = targets[0].results["size"]
    print(
        f"Load: gunicorn 2 workers, 1 Celery worker, PostgreSQL and Redis; Locust, "
        f"{ARGS.users} users, {ARGS.duration:g} s per request; {first[0]} objectives and "
        f"{first[1]} key results in the active quarter.\n"
    )
    header = ["request"]
    for target in targets:
        header += [f"{target.label} req/s", "p50 ms", "p95 ms", "ratio"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for request, title in ROWS:
        if any(target.results[request] is None for target in targets):
            continue
        line = [title]
        for target in targets:
            row = target.results[request]
            health = target.results.get(f"healthz before {request}") or target.results["healthz"]
            health = health["rps"] or 1
            failed = f" ({row['failures']} failed)" if row["failures"] else ""
            line += [
                f"{row['rps']:.1f}{failed}",
                f"{row['p50']:.0f}",
                f"{row['p95']:.0f}",
                f"{row['rps'] / health:.3f}",
            ]
        print("| " + " | ".join(line) + " |")
    print()
    for target in targets:
        beside = [
            row["rps"] for name, row in target.results.items() if name.startswith("healthz before")
        ]
        if beside:
            print(
                f"{target.label}: `/healthz` right before each row (the ratio's denominator): "
                f"{min(beside):.0f}–{max(beside):.0f} req/s"
            )
    for target in targets:
        idle, busy = target.results["rollup_idle"], target.results["rollup_busy"]
        load = target.results["busy_load"]
        inprocess = target.results["inprocess"]
        if idle and busy:  # --probes 0 skips the roll-up figures
            print(
                f"{target.label}: roll-up 201 → company objective: idle p50 "
                f"{statistics.median(idle):.0f} ms, p95 {percentile(idle, 0.95):.0f} ms "
                f"({len(idle)} probes); busy ({load['rps']:.1f} check-ins/s, "
                f"{load['failures']} failed) p50 {statistics.median(busy):.0f} ms, "
                f"p95 {percentile(busy, 0.95):.0f} ms ({len(busy)} probes)"
            )
        print(
            f"{target.label}: API tree in-process {inprocess['ms']:.0f} ms for "
            f"{inprocess['nodes']} nodes = {inprocess['ms'] * 1000 / inprocess['nodes']:.1f} µs "
            f"per node, {inprocess['bytes'] / 1e6:.2f} MB"
        )
        memory = target.results.get("memory")
        if memory:
            print(
                f"{target.label}: API tree of {memory['key_results']} key results: "
                f"{memory['status']} in {memory['ms']:.0f} ms, {memory['bytes'] / 1e6:.1f} MB; "
                f"worker peak RSS {memory['peak_kb'] / 1024:.0f} MB "
                f"({memory['idle_kb'] / 1024:.0f} MB before the request)"
            )


def main() -> None:
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", help="a git revision to measure first, in the same run")
    parser.add_argument("--objectives", type=int, default=1200)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--duration", type=float, default=15, help="seconds per request")
    parser.add_argument("--probes", type=int, default=20, help="idle roll-up probes")
    parser.add_argument("--busy-rate", type=float, default=60, help="check-ins/s while busy")
    parser.add_argument("--memory-key-results", type=int, default=20_000, help="0 to skip")
    parser.add_argument("--rows", default="", help="only these requests (comma-separated)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8114)))
    ARGS = arguments = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get(
        "REDIS_URL"
    ):
        print("load stage skipped: it needs DATABASE_URL=postgres://… and REDIS_URL=redis://…")
        return

    workdir = Path(tempfile.mkdtemp(prefix="cascade-load-"))
    targets = []
    exported = None
    try:
        if arguments.baseline:
            exported = export_revision(arguments.baseline)
            targets.append(
                Target(
                    f"{arguments.baseline}",
                    exported,
                    database_url_for(os.environ["DATABASE_URL"], "_baseline"),
                    arguments.port,
                )
            )
        targets.append(Target("now", ROOT, os.environ["DATABASE_URL"], arguments.port))
        for target in targets:
            seed(target, arguments, workdir)
        for target in targets:
            measure_in_process(target, workdir)
        for target in targets:
            measure(target, arguments, workdir)
        print_report(targets)
        print(f"\n(logs and Locust CSVs in {workdir})")
    finally:
        PROCESSES.stop_all()
        if exported is not None:
            shutil.rmtree(exported.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
