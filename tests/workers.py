"""Real Celery workers for the service tests, on the Redis broker.

``running_workers`` starts a worker thread in this process (Celery's own test
worker); ``worker_processes`` starts separate ``celery worker`` processes, as
production runs them, for races between workers. Either way the app leaves
eager mode for the duration and comes back to it after, and the queue is purged
first so an interrupted run leaves nothing behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connections

from okr.celery import app


@contextmanager
def running_workers(*, count: int = 1, concurrency: int = 4):
    """Start ``count`` workers of ``concurrency`` threads each; yield the Celery app."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(
        task_always_eager=False, broker_url=settings.REDIS_URL, result_backend=settings.REDIS_URL
    )
    app.control.purge()

    def close_connections(**kwargs):
        # Each pool thread opened its own connection; the test database is dropped later.
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    try:
        # Celery's test worker is one per process: more than one hangs on shutdown.
        with ExitStack() as stack:
            for number in range(count):
                stack.enter_context(
                    start_worker(
                        app,
                        pool="threads",
                        concurrency=concurrency,
                        perform_ping_check=False,
                        shutdown_timeout=30,
                        hostname=f"worker-{number}@tests",
                    )
                )
            yield app
    finally:
        task_postrun.disconnect(close_connections)
        app.conf.update(saved)


def _test_database_url() -> str:
    database = settings.DATABASES["default"]
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    return (
        f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
        f"/{database['NAME']}"
    )


@contextmanager
def worker_processes(*, count: int, email_dir: Path, concurrency: int = 2, **extra_env: str):
    """Run ``count`` separate ``celery worker`` processes against the test database.

    They use the test settings with eager mode off and write e-mails as files into
    ``email_dir``. Yields once every worker answers a ping.
    """
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CASCADE_TEST_WORKER": "1",
        "EMAIL_FILE_PATH": str(email_dir),
        **extra_env,
    }
    hostnames = [f"process-{number}-{os.getpid()}@tests" for number in range(count)]
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(
        task_always_eager=False, broker_url=settings.REDIS_URL, result_backend=settings.REDIS_URL
    )
    app.control.purge()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "okr",
                "worker",
                "--pool=threads",
                f"--concurrency={concurrency}",
                f"--hostname={hostname}",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=Path(__file__).resolve().parent.parent,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for hostname in hostnames
    ]
    try:
        deadline = time.monotonic() + 60
        answered: set[str] = set()
        while answered != set(hostnames):
            if time.monotonic() > deadline:
                raise RuntimeError(f"workers did not start: {set(hostnames) - answered}")
            for reply in app.control.ping(timeout=0.5):
                answered.update(reply)
        yield app
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)  # warm shutdown: finish the running tasks
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        app.conf.update(saved)
