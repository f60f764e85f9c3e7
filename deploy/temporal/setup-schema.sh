#!/bin/sh
# One-shot: create or upgrade Temporal's schema in its two databases (safe to repeat; an
# upgrade of the server image brings new versioned steps, applied here before it starts).
set -eu
export SQL_PASSWORD="$(cat /run/secrets/temporal_db_password)"
schema=/etc/temporal/schema/postgresql/v12
tool() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"; }
for db in "$DBNAME:temporal" "$VISIBILITY_DBNAME:visibility"; do
  name=${db%%:*}
  tool --db "$name" setup-schema -v 0.0 2>/dev/null || true  # a no-op once the schema exists
  tool --db "$name" update-schema -d "$schema/${db##*:}/versioned"
done
echo "temporal schema ready"
