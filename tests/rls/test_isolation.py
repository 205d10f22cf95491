"""With no tenant nothing is readable; with Acme's, none of Globex's rows are reachable.

Raw SQL as the application's role: no application filter helps here, only the
database's policies (accounts/rls.py).
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from django.test import Client

from accounts.rls import tenant_tables
from tests.rls.conftest import set_tenant

pytestmark = pytest.mark.services


def count(cursor, table: str, organization_id: int | None = None) -> int:
    where = "" if organization_id is None else f" WHERE organization_id = {int(organization_id)}"
    cursor.execute(f'SELECT count(*) FROM "{table}"{where}')
    return cursor.fetchone()[0]


def test_with_no_tenant_every_tenant_table_reads_as_empty(two_tenants, app_cursor):
    tables = tenant_tables(app_cursor)
    assert tables
    assert {table: count(app_cursor, table) for table in tables} == dict.fromkeys(tables, 0)


def test_with_acme_set_it_reads_acmes_rows_and_none_of_globexs(two_tenants, app_cursor):
    acme, globex = two_tenants["Acme"]["organization"], two_tenants["Globex"]["organization"]
    set_tenant(app_cursor, acme.pk)
    for table in (
        "accounts_membership",
        "accounts_team",
        "okr_cycle",
        "okr_objective",
        "okr_keyresult",
    ):
        assert count(app_cursor, table, acme.pk) >= 1, table
        assert count(app_cursor, table, globex.pk) == 0, table
    app_cursor.execute("SELECT title FROM okr_objective")
    assert [row[0] for row in app_cursor.fetchall()] == ["Acme wins"]


def test_with_acme_set_globexs_rows_cannot_be_changed_or_deleted(two_tenants, app_cursor):
    acme = two_tenants["Acme"]["organization"]
    globex_objective = two_tenants["Globex"]["objective"]
    set_tenant(app_cursor, acme.pk)
    app_cursor.execute(
        "UPDATE okr_objective SET title = 'pwned' WHERE id = %s", [globex_objective.pk]
    )
    assert app_cursor.rowcount == 0
    app_cursor.execute(
        "DELETE FROM okr_keyresult WHERE organization_id = %s", [globex_objective.organization_id]
    )
    assert app_cursor.rowcount == 0
    app_cursor.execute(
        "DELETE FROM accounts_team WHERE id = %s", [two_tenants["Globex"]["team"].pk]
    )
    assert app_cursor.rowcount == 0
    set_tenant(app_cursor, globex_objective.organization_id)
    app_cursor.execute("SELECT title FROM okr_objective WHERE id = %s", [globex_objective.pk])
    assert app_cursor.fetchone() == ("Globex wins",)


def test_with_acme_set_a_row_cannot_be_moved_to_or_written_for_globex(two_tenants, app_cursor):
    acme, globex = two_tenants["Acme"]["organization"], two_tenants["Globex"]["organization"]
    set_tenant(app_cursor, acme.pk)
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        app_cursor.execute(
            "INSERT INTO accounts_team (organization_id, name) VALUES (%s, 'Planted')",
            [globex.pk],
        )
    with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        app_cursor.execute(
            "UPDATE accounts_team SET organization_id = %s WHERE id = %s",
            [globex.pk, two_tenants["Acme"]["team"].pk],
        )


def test_an_unscoped_queryset_in_a_view_returns_only_the_requests_tenant(
    two_tenants, app_cursor, settings
):
    settings.ROOT_URLCONF = "tests.rls.urls"
    client = Client()
    client.force_login(two_tenants["Acme"]["admin"].user)

    response = client.get("/o/acme/unscoped-objectives/")

    assert response.status_code == 200
    assert response.json() == {"titles": ["Acme wins"]}
