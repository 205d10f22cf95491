"""The world the tests tell stories about, and the rules for service-only tests.

Two organizations: **Acme** (Alice the admin, Mark the manager, Emma the
member, Dora whose membership is deactivated) and **Globex** (Oscar its admin).
Tests marked ``services`` need PostgreSQL and Redis: they are skipped without
them, and fail instead when ``REQUIRE_SERVICES=1`` (CI).
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from accounts.models import Role
from tests.factories import (
    CycleFactory,
    MembershipFactory,
    OrganizationFactory,
    TeamFactory,
    UserFactory,
)

pytest_plugins = ("celery.contrib.pytest",)

PASSWORD = "correct horse battery"


def pytest_collection_modifyitems(config, items):
    services_up = settings.USES_POSTGRES and settings.USES_REDIS
    if services_up:
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        missing = []
        if not settings.USES_POSTGRES:
            missing.append("DATABASE_URL=postgres://…")
        if not settings.USES_REDIS:
            missing.append("REDIS_URL=redis://…")
        raise pytest.UsageError(
            f"REQUIRE_SERVICES=1 but the services are not configured: set {', '.join(missing)}"
        )
    skip = pytest.mark.skip(reason="needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL)")
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _live_server_connections_closed(django_db_setup, django_db_blocker):
    """After the live server stops, end the connections its request threads left open.

    The live server (browser tests, the generated API client) answers each request on
    a daemon thread with its own connection; one still open when the session ends
    keeps PostgreSQL from dropping the test database.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits count in the cache: each test starts with none spent."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def acme(db):
    return OrganizationFactory(name="Acme", slug="acme")


@pytest.fixture
def globex(db):
    return OrganizationFactory(name="Globex", slug="globex")


@pytest.fixture
def alice(acme):
    """Acme's admin."""
    return MembershipFactory(
        organization=acme,
        role=Role.ADMIN,
        user=UserFactory(email="alice@acme.test", name="Alice Admin"),
    )


@pytest.fixture
def mark(acme):
    """Acme's manager."""
    return MembershipFactory(
        organization=acme,
        role=Role.MANAGER,
        user=UserFactory(email="mark@acme.test", name="Mark Manager"),
    )


@pytest.fixture
def emma(acme):
    """A member of Acme."""
    return MembershipFactory(
        organization=acme,
        role=Role.MEMBER,
        user=UserFactory(email="emma@acme.test", name="Emma Member"),
    )


@pytest.fixture
def dora(acme):
    """Once a member of Acme; her membership is deactivated."""
    return MembershipFactory(
        organization=acme,
        role=Role.MEMBER,
        is_active=False,
        user=UserFactory(email="dora@acme.test", name="Dora Departed"),
    )


@pytest.fixture
def oscar(globex):
    """Globex's admin: a stranger to Acme."""
    return MembershipFactory(
        organization=globex,
        role=Role.ADMIN,
        user=UserFactory(email="oscar@globex.test", name="Oscar Outsider"),
    )


@pytest.fixture
def acme_cycle(acme):
    return CycleFactory(organization=acme, name="Q4 2026")


@pytest.fixture
def globex_cycle(globex):
    return CycleFactory(organization=globex, name="Globex Q4")


@pytest.fixture
def platform_team(acme):
    return TeamFactory(organization=acme, name="Platform")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run ``transaction.on_commit`` callbacks (the roll-up) inside a test transaction.

    Usage: ``with run_on_commit(): check_in_record(...)``.
    """

    def runner():
        return django_capture_on_commit_callbacks(execute=True)

    return runner
