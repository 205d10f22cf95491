"""Row-level security on every table with an ``organization_id`` (PostgreSQL only).

See accounts/rls.py and docs/architecture.md. A later migration that adds a
tenant table runs ``protect_tenant_tables`` again (it is idempotent);
tests/rls/test_policies.py fails for a tenant table without the policy.
"""

from django.db import migrations

from accounts.rls import protect_tenant_tables, unprotect_tenant_tables


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("okr", "0002_grades_and_roll_overs"),
    ]

    operations = [
        migrations.RunPython(protect_tenant_tables, unprotect_tenant_tables, elidable=False),
    ]
