"""Every tenant table has its policy, and the application's role cannot step around it."""

from __future__ import annotations

import pytest

from accounts.rls import POLICY_NAME, tenant_tables

pytestmark = pytest.mark.services

# The tables that hold an organization's rows today; a new one joins the list when its
# migration protects it (accounts.rls.protect_tenant_tables).
KNOWN_TENANT_TABLES = {
    "accounts_invitation",
    "accounts_membership",
    "accounts_team",
    "okr_activity",
    "okr_checkin",
    "okr_cycle",
    "okr_keyresult",
    "okr_objective",
    "okr_reminderdelivery",
}


def test_it_finds_the_tenant_tables(app_cursor):
    assert set(tenant_tables(app_cursor)) >= KNOWN_TENANT_TABLES


def test_it_enables_forces_and_polices_rls_on_every_table_with_an_organization_id(app_cursor):
    tables = tenant_tables(app_cursor)
    app_cursor.execute(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
        " (SELECT count(*) FROM pg_policies p"
        "  WHERE p.schemaname = current_schema() AND p.tablename = c.relname"
        "  AND p.policyname = %s AND p.cmd = 'ALL')"
        " FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace"
        " AND c.relname = ANY(%s)",
        [POLICY_NAME, tables],
    )
    unprotected = [
        name
        for name, enabled, forced, policies in app_cursor.fetchall()
        if not (enabled and forced and policies == 1)
    ]
    assert unprotected == [], f"tables with organization_id but no forced policy: {unprotected}"


def test_the_application_role_owns_nothing_and_cannot_bypass_rls(app_cursor):
    app_cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    assert app_cursor.fetchone() == (False, False)
    app_cursor.execute(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()"
        " AND tableowner = current_user"
    )
    assert app_cursor.fetchone()[0] == 0
