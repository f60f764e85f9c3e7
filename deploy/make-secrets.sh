#!/bin/sh
# Creates ./secrets/ for docker-compose.yml: random passwords and keys, each in its own file
# (mode 600), never overwriting one that exists. Back up samverkan_payload_key: without it no
# case's Temporal history can be read again.
set -eu
cd "$(dirname "$0")/.."
umask 077
mkdir -p secrets
new() { [ -s "secrets/$1" ] || python3 -c "import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())" > "secrets/$1"; }
for name in postgres_password temporal_db_password samverkan_db_password samverkan_payload_key \
  samverkan_jwt_secret samverkan_admin_password; do
  new "$name"
done
[ -s secrets/samverkan_database_url ] ||
  echo "postgresql+psycopg://samverkan:$(cat secrets/samverkan_db_password)@postgres:5432/samverkan" > secrets/samverkan_database_url
echo "secrets in ./secrets (keep them out of git; back up samverkan_payload_key)"
