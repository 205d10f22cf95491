#!/bin/bash
# The two database roles of Cascade (docs/operations.md), made once, when the postgres
# container starts on an empty data volume (/docker-entrypoint-initdb.d runs this as
# the superuser):
#   cascade_owner  owns the tables and runs the migrations (MIGRATE_DATABASE_URL);
#   cascade_app    what the web, worker and beat connect as (DATABASE_URL): it owns
#                  nothing and cannot bypass row-level security.
set -euo pipefail
: "${CASCADE_OWNER_PASSWORD:?set CASCADE_OWNER_PASSWORD}"
: "${CASCADE_APP_PASSWORD:?set CASCADE_APP_PASSWORD}"
database="${POSTGRES_DB:?}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v owner_password="$CASCADE_OWNER_PASSWORD" -v app_password="$CASCADE_APP_PASSWORD" \
    -v database="$database" <<'SQL'
CREATE ROLE cascade_owner LOGIN PASSWORD :'owner_password' BYPASSRLS;
CREATE ROLE cascade_app LOGIN PASSWORD :'app_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
ALTER DATABASE :"database" OWNER TO cascade_owner;
SQL

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$database" <<'SQL'
ALTER SCHEMA public OWNER TO cascade_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO cascade_app;
-- Every table and sequence the owner's migrations create: rows for the app, nothing more.
ALTER DEFAULT PRIVILEGES FOR ROLE cascade_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cascade_app;
ALTER DEFAULT PRIVILEGES FOR ROLE cascade_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO cascade_app;
SQL
