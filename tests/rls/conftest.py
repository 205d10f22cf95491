"""Row-level security, seen from the application's role (docs/architecture.md).

``app_cursor`` is a raw cursor inside the test's transaction that sees exactly what
the application's role sees, with no tenant set: the test's own cross-tenant
setting (tests/conftest.py) is switched off for the transaction. When the suite
runs as the application's role (CI: ``MIGRATE_DATABASE_URL`` set) that is the
real role; when it runs as a superuser, who bypasses every policy, the cursor
takes on a throwaway role that owns nothing and cannot bypass them, for the
length of the test's transaction.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection

from okr.models import Level
from tests.factories import (
    CycleFactory,
    KeyResultFactory,
    MembershipFactory,
    ObjectiveFactory,
    OrganizationFactory,
    TeamFactory,
)


def _bypasses_rls(cursor) -> bool:
    cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
    return cursor.fetchone()[0]


@pytest.fixture
def app_cursor(db):
    with connection.cursor() as cursor:
        if _bypasses_rls(cursor):
            probe = f"rls_probe_{os.getpid()}"
            cursor.execute(f"CREATE ROLE {probe} NOLOGIN NOSUPERUSER NOBYPASSRLS")
            cursor.execute(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {probe}"
            )
            cursor.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {probe}")
            cursor.execute(f"SET LOCAL ROLE {probe}")
        cursor.execute("SELECT set_config('app.all_tenants', '', true)")
        yield cursor


def set_tenant(cursor, organization_id: int | None) -> None:
    cursor.execute(
        "SELECT set_config('app.organization_id', %s, true)",
        ["" if organization_id is None else str(organization_id)],
    )


@pytest.fixture
def two_tenants(db):
    """Acme and Globex, each with a row in every tenant table the factories can make."""
    worlds = {}
    for name in ("Acme", "Globex"):
        organization = OrganizationFactory(name=name, slug=name.lower())
        admin = MembershipFactory(organization=organization)
        team = TeamFactory(organization=organization, name=f"{name} platform")
        cycle = CycleFactory(organization=organization)
        objective = ObjectiveFactory(
            cycle=cycle, owner=admin.user, level=Level.COMPANY, title=f"{name} wins"
        )
        KeyResultFactory(objective=objective)
        worlds[name] = {
            "organization": organization,
            "admin": admin,
            "team": team,
            "objective": objective,
        }
    return worlds
