"""``migrate`` as the owner of the tables when ``MIGRATE_DATABASE_URL`` is set.

The application's role owns nothing (row-level security applies to it), so it
cannot create tables; the ``migrate`` database alias is the owner. Without that
setting this is Django's own command, unchanged.
"""

from __future__ import annotations

from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections

OWNER_ALIAS = "migrate"


class Command(MigrateCommand):
    def handle(self, *args, **options):
        if options["database"] == DEFAULT_DB_ALIAS and OWNER_ALIAS in connections.settings:
            options["database"] = OWNER_ALIAS
        return super().handle(*args, **options)
