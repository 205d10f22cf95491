"""Row-level security: which tenant's rows the database lets this transaction see.

On PostgreSQL every table with an ``organization_id`` admits a row only when it
belongs to the organization named by the transaction-local setting
``app.organization_id`` (the migration ``okr/migrations/0003_row_level_security``
writes the policies; docs/architecture.md explains the design). With no setting a
tenant table reads as empty, so a forgotten ``.filter(organization=…)`` leaks
nothing.

Three ways in, and no others:

- a request's tenant: the tenant middleware opens the request's transaction
  (``request_scope``) and ``accounts.tenancy.get_membership`` — called by the
  middleware for pages and by the API's tenant mixin — loads the organization
  with ``as_tenant``, which sets the setting in the same query;
- ``tenant(id)``: a block of work for one organization (Celery tasks from the
  ids they carry, commands, the nightly reconcile organization by organization);
- ``all_tenants()``: the few paths that must cross tenants (sign-up, invitation
  acceptance, the user's list of organizations, the hourly reminder fan-out,
  the support admin, the demo seeder). Grep for it to audit them. (Log-in reads
  users only, which are nobody's tenant rows.)

Each opens a transaction, or, inside one already, puts the previous setting
back on the way out. On SQLite they do nothing: the application's own scoping
is all there is. ``set_tenant`` is the bare setter, for code already inside a
transaction of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

TENANT_SETTING = "app.organization_id"
ALL_TENANTS_SETTING = "app.all_tenants"

# The policy each tenant table gets (the migration and the tests share it).
POLICY_NAME = "tenant_isolation"
POLICY_PREDICATE = (
    f"organization_id = NULLIF(current_setting('{TENANT_SETTING}', true), '')::bigint"
    f" OR current_setting('{ALL_TENANTS_SETTING}', true) = 'on'"
)


def is_enforced(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Does this database enforce tenants itself (PostgreSQL), or only the application?"""
    return connections[using].vendor == "postgresql"


def _apply(organization: str, everyone: str, using: str, *, local: bool = True) -> None:
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, %s), set_config(%s, %s, %s)",
            [TENANT_SETTING, organization, local, ALL_TENANTS_SETTING, everyone, local],
        )


def _swap(organization: str, everyone: str, using: str, *, local: bool = True) -> tuple[str, str]:
    """Set both settings; answer what they were (one round trip)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(current_setting(%s, true), ''), coalesce(current_setting(%s, true), ''),"
            " set_config(%s, %s, %s), set_config(%s, %s, %s)",
            [
                TENANT_SETTING,
                ALL_TENANTS_SETTING,
                TENANT_SETTING,
                organization,
                local,
                ALL_TENANTS_SETTING,
                everyone,
                local,
            ],
        )
        previous = cursor.fetchone()
    return previous[0], previous[1]


def set_tenant(organization_id: int | None, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Make ``organization_id`` the tenant of the current transaction (None: no tenant).

    Called inside the transaction that ``request_scope`` or ``tenant`` opened; in
    autocommit mode the setting would end with the statement that made it.
    """
    if is_enforced(using):
        _apply("" if organization_id is None else str(int(organization_id)), "", using)


@contextmanager
def _scope(organization: str, everyone: str, using: str) -> Iterator[None]:
    connection = connections[using]
    if not is_enforced(using):
        yield
        return
    if not connection.in_atomic_block:
        # A transaction of its own: the settings end with it.
        with transaction.atomic(using=using):
            if organization or everyone:
                _apply(organization, everyone, using)
            yield
        return
    # Inside a transaction already (a request's): swap, then put the old values back.
    previous = _swap(organization, everyone, using)
    try:
        yield
    except BaseException:
        # After a database error the transaction is dead and reads nothing more.
        if not connection.needs_rollback:
            with suppress(DatabaseError):
                _apply(*previous, using)
        raise
    if not connection.needs_rollback:
        _apply(*previous, using)


def request_scope(*, using: str = DEFAULT_DB_ALIAS):
    """The transaction a request runs in, with no tenant until ``set_tenant`` names one.

    On SQLite, which has no policies, none of these open a transaction.
    """
    return _scope("", "", using)


def tenant(organization_id: int, *, atomic: bool = True, using: str = DEFAULT_DB_ALIAS):
    """Run a block as organization ``organization_id``: its rows and nobody else's.

    The block is one transaction. ``atomic=False`` is for work that must commit
    step by step (the reminders claim a row, send, then record): the setting then
    lasts for the connection's session until the block ends, and is put back.
    """
    if atomic:
        return _scope(str(int(organization_id)), "", using)
    return _session_scope(str(int(organization_id)), "", using)


@contextmanager
def _session_scope(organization: str, everyone: str, using: str) -> Iterator[None]:
    if not is_enforced(using):
        yield
        return
    previous = _swap(organization, everyone, using, local=False)
    try:
        yield
    finally:
        connection = connections[using]
        if connection.connection is not None and not connection.needs_rollback:
            _apply(*previous, using, local=False)


def all_tenants(*, using: str = DEFAULT_DB_ALIAS):
    """The one named way across tenants; usable as ``with all_tenants():`` or a decorator.

    Only the paths listed in this module's docstring use it; each still filters by
    what the caller may see (the user's own memberships, an invitation's key).
    """
    return _scope("", "on", using)


# --- Schema: the policies, written by migrations ------------------------------------------------


def tenant_tables(cursor) -> list[str]:
    """Every table of the current schema that has an ``organization_id`` column."""
    cursor.execute(
        "SELECT c.table_name FROM information_schema.columns c"
        " JOIN information_schema.tables t"
        " ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
        " WHERE c.table_schema = current_schema() AND c.column_name = 'organization_id'"
        " AND t.table_type = 'BASE TABLE' ORDER BY c.table_name"
    )
    return [row[0] for row in cursor.fetchall()]


def protect_tenant_tables(apps, schema_editor) -> None:
    """Migration step: RLS enabled and forced, with the tenant policy, on every tenant table.

    Idempotent, so a later migration that adds a tenant table runs it again. It
    also grants the application role (``DATABASE_APP_ROLE``, set when migrations
    run as a separate owner) the rights on rows it needs, now and for tables the
    owner creates later. No-op on SQLite.
    """
    from django.conf import settings

    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    with connection.cursor() as cursor:
        for table in tenant_tables(cursor):
            cursor.execute(f"ALTER TABLE {quote(table)} ENABLE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {quote(table)} FORCE ROW LEVEL SECURITY")
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {quote(table)}")
            cursor.execute(
                f"CREATE POLICY {POLICY_NAME} ON {quote(table)}"
                f" USING ({POLICY_PREDICATE}) WITH CHECK ({POLICY_PREDICATE})"
            )
        app_role = getattr(settings, "DATABASE_APP_ROLE", "")
        cursor.execute("SELECT current_user")
        if app_role and app_role != cursor.fetchone()[0]:
            role = quote(app_role)
            cursor.execute(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
            )
            cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
            cursor.execute(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public"
                f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}"
            )
            cursor.execute(
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}"
            )


def unprotect_tenant_tables(apps, schema_editor) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    with connection.cursor() as cursor:
        for table in tenant_tables(cursor):
            cursor.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {quote(table)}")
            cursor.execute(f"ALTER TABLE {quote(table)} NO FORCE ROW LEVEL SECURITY")
            cursor.execute(f"ALTER TABLE {quote(table)} DISABLE ROW LEVEL SECURITY")


def as_tenant(organizations):
    """The organizations queryset, which also makes the organization it reads the tenant.

    The setting rides on the query that loads the organization (``set_config`` in
    the select list), so resolving a request's tenant costs no extra round trip.
    Call it inside the request's transaction, for a queryset of at most one row.
    """
    if not is_enforced(organizations.db):
        return organizations
    from django.db.models import TextField
    from django.db.models.expressions import RawSQL

    return organizations.annotate(
        _as_tenant=RawSQL(
            f"set_config('{TENANT_SETTING}', {organizations.model._meta.db_table}.id::text, true)"
            f" || set_config('{ALL_TENANTS_SETTING}', '', true)",
            [],
            output_field=TextField(),
        )
    )
