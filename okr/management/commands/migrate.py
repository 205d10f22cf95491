"""``migrate`` as the owner of the tables when ``MIGRATE_DATABASE_URL`` is set.

The application's role owns nothing (row-level security applies to it), so it
cannot create tables: this command connects to the same database with the
owner's credentials instead — the default connection itself, so that data
migrations that read through the default manager run as the owner too. Without
that setting this is Django's own command, unchanged.
"""

from __future__ import annotations

import environ
from django.conf import settings
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections

CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


class Command(MigrateCommand):
    def handle(self, *args, **options):
        if settings.MIGRATE_DATABASE_URL and options["database"] == DEFAULT_DB_ALIAS:
            owner = environ.Env.db_url_config(settings.MIGRATE_DATABASE_URL)
            connection = connections[DEFAULT_DB_ALIAS]
            connection.close()
            connection.settings_dict.update({key: owner[key] for key in CREDENTIALS})
        return super().handle(*args, **options)
