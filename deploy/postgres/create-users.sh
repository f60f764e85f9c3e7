#!/bin/sh
# First start of the PostgreSQL volume: one role and database(s) for Temporal, another for the
# service, so neither can read or alter the other's tables. Passwords come from the secret files.
set -eu
temporal_pw=$(cat /run/secrets/temporal_db_password)
samverkan_pw=$(cat /run/secrets/samverkan_db_password)
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v temporal_pw="$temporal_pw" -v samverkan_pw="$samverkan_pw" <<'SQL'
CREATE ROLE temporal LOGIN PASSWORD :'temporal_pw';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
CREATE ROLE samverkan LOGIN PASSWORD :'samverkan_pw';
CREATE DATABASE samverkan OWNER samverkan;
REVOKE ALL ON DATABASE temporal, temporal_visibility FROM PUBLIC;
REVOKE ALL ON DATABASE samverkan FROM PUBLIC;
SQL
