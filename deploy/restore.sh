#!/bin/sh
# Restore a custom-format dump into an EMPTY database (create it first: createdb okrtracker_restored).
#   deploy/restore.sh FILE postgres://user:password@host:port/okrtracker_restored
# Then point DATABASE_URL at it, run deploy/migrate.sh (a no-op unless the code is newer than the
# dump) and `manage.py check_health`.
set -eu
file=${1:?usage: restore.sh FILE TARGET_DATABASE_URL}
target=${2:?usage: restore.sh FILE TARGET_DATABASE_URL}
tables=$(psql --no-psqlrc --tuples-only --no-align --dbname="$target" \
  --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != "0" ]; then
  echo "The target database already has $tables tables: restore into an empty database." >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$target" "$file"
echo "Restored $file"
