"""Faults on purpose: Redis stopped, PostgreSQL out of reach, a worker killed.

Every test here starts what it breaks (its own redis-server, its own door to
PostgreSQL, its own worker processes) and stops only that, by the process it holds.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from okr.celery import app
from tests.faults.services import RedisServer


def _forget_connections() -> None:
    # Celery keeps its broker pools and result backend per process and thread; after a
    # change of broker they must be built again from the configuration.
    app._after_fork()
    if hasattr(app._local, "backend"):
        del app._local.backend


@contextmanager
def celery_on(broker_url: str):
    """Tasks go to ``broker_url`` (not eager) for the block; then back as they were."""
    keys = ("task_always_eager", "broker_url", "result_backend")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        task_always_eager=False, broker_url=broker_url, result_backend="cache+memory://"
    )
    _forget_connections()
    try:
        yield app
    finally:
        app.conf.update(saved)
        _forget_connections()


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
