"""The world the tests tell stories about, and the rules for service-only tests.

Two organizations: **Acme** (Alice the admin, Mark the manager, Emma the
member, Dora whose membership is deactivated) and **Globex** (Oscar its admin).
Tests marked ``services`` need PostgreSQL and Redis: they are skipped without
them, and fail instead when ``REQUIRE_SERVICES=1`` (CI).
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from functools import partial

import environ
import pytest
from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created
from django.test.utils import CaptureQueriesContext

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


# --- Row-level security: tests run as the application's role (docs/operations.md) -----------
#
# With MIGRATE_DATABASE_URL set (CI), the test database is created and migrated by that
# owner; the tests then connect as DATABASE_URL's role, which owns nothing and is
# subject to the tenant policies. The test's own code (factories, assertions) reads
# and writes across tenants, as a support engineer would: every connection the test
# thread opens starts with the session-level cross-tenant setting. Requests do not
# inherit it: the tenant middleware clears it for the request's transaction and sets
# the request's tenant, so every page and API call runs under the policies exactly as
# in production (live-server threads and worker processes never have it at all).


def _owner_credentials() -> dict | None:
    if not settings.MIGRATE_DATABASE_URL or not settings.USES_POSTGRES:
        return None
    owner = environ.Env.db_url_config(settings.MIGRATE_DATABASE_URL)
    return {key: owner[key] for key in ("USER", "PASSWORD", "HOST", "PORT")}


def _use_credentials(credentials: dict) -> None:
    connection = connections["default"]
    connection.close()
    connection.settings_dict.update(credentials)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Create and migrate the test database as the owner, when there is one."""
    owner = _owner_credentials()
    if owner is not None:
        app = {key: settings.DATABASES["default"][key] for key in owner}
        settings.RLS_TEST_APP_CREDENTIALS = app
        _use_credentials(owner)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Then hand the database to the application's role (and back to the owner to drop it)."""
    owner = _owner_credentials()
    if owner is None:
        yield
        return
    app = settings.RLS_TEST_APP_CREDENTIALS
    with django_db_blocker.unblock():
        with connections["default"].cursor() as cursor:
            # The migration granted rows; TransactionTestCase's flush needs TRUNCATE too.
            cursor.execute(f'GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO "{app["USER"]}"')
        _use_credentials(app)
    yield
    with django_db_blocker.unblock():
        _use_credentials(owner)


def _test_thread_sees_all_tenants(sender, connection, **kwargs):
    if connection.vendor == "postgresql" and threading.current_thread() is threading.main_thread():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('app.all_tenants', 'on', false)")


connection_created.connect(_test_thread_sees_all_tenants)


# The tenant bookkeeping statements (accounts/rls.py) are not what a query budget pins:
# SQLite has none, and a request in a test swaps the test's settings out and back in.
RLS_BOOKKEEPING = ("SELECT set_config(", "SELECT coalesce(current_setting(")


@contextmanager
def _assert_queries(number: int, *, exact: bool, connection=None, info=None):
    with CaptureQueriesContext(connection or connections["default"]) as context:
        yield context
    queries = [
        q["sql"] for q in context.captured_queries if not q["sql"].startswith(RLS_BOOKKEEPING)
    ]
    if (len(queries) != number) if exact else (len(queries) > number):
        listing = "\n\n".join(queries)
        expected = f"{number}" if exact else f"at most {number}"
        pytest.fail(
            f"Expected {expected} queries, {len(queries)} were done{f' ({info})' if info else ''}:\n{listing}"
        )


@pytest.fixture
def django_assert_num_queries():
    return partial(_assert_queries, exact=True)


@pytest.fixture
def django_assert_max_num_queries():
    return partial(_assert_queries, exact=False)


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
