#!/usr/bin/env bash
# Property-based API fuzzing: schemathesis against /api/schema/ with a project owner's token.
#
# Starts gunicorn on a free local port against a throwaway SQLite database loaded with the demo
# data, then fails on any 5xx or any response that does not match the schema. Stops the server
# by itself. Creating and revoking the token itself is left out (it would revoke the fuzzer's own
# credentials; tests/api covers it). Options: FUZZ_MAX_EXAMPLES (default 15 per operation), FUZZ_SEED,
# FUZZ_CHECKS (schemathesis check names), VENV_BIN (default .venv/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(cd "${VENV_BIN:-.venv/bin}" && pwd)
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-15}

workdir=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$workdir"
}
trap cleanup EXIT

export DEBUG=false SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 ALLOWED_HOSTS=127.0.0.1,localhost
export SECRET_KEY=api-fuzz-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz
# FUZZ_DATABASE_URL: an empty throwaway database (CI gives a PostgreSQL one); SQLite otherwise.
export DATABASE_URL="${FUZZ_DATABASE_URL:-sqlite:///$workdir/fuzz.sqlite3}"
export API_THROTTLE_USER=1000000/minute API_THROTTLE_ANON=1000000/minute LOG_LEVEL=WARNING
# The fuzzer reads the schema without signing in; rate limits are off, so a per-process cache will do.
export API_DOCS_PUBLIC=true ALLOW_LOCAL_CACHE=true
# Any week's update is written, so the write path is fuzzed (the window itself is tested in tests/api).
export UPDATE_EDIT_WINDOW_WEEKS=100000
unset REDIS_URL CELERY_BROKER_URL || true

echo "==> Throwaway database with the demo data ($workdir)"
"$BIN/python" manage.py migrate --verbosity 0
"$BIN/python" manage.py load_demo >/dev/null
# The fuzzer acts as the owner of a project with milestones; their project and milestone are pinned
# on the write operations so the bodies reach the services instead of stopping at 403/404.
read -r username project_id milestone_id < <("$BIN/python" manage.py shell -v0 -c '
from projects.models import Project
project = Project.objects.filter(milestones__isnull=False, owner__groups__name="Project owners").order_by("pk").first()
print(project.owner.username, project.pk, project.milestones.order_by("pk").first().pk)')
token=$("$BIN/python" manage.py drf_create_token "$username" | awk '{print $3}')
echo "    as $username, project $project_id, milestone $milestone_id"
cat > "$workdir/schemathesis.toml" <<TOML
[[operations]]
include-path-regex = '/projects/\{project_pk\}/updates/'
parameters = { "path.project_pk" = $project_id }

[[operations]]
include-name-regex = '^(PUT|PATCH) /api/v1/projects/\{id\}/$'
parameters = { "path.id" = $project_id }

[[operations]]
include-name-regex = '^(PUT|PATCH) /api/v1/milestones/\{id\}/$'
parameters = { "path.id" = $milestone_id }
TOML

port=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "==> gunicorn on 127.0.0.1:$port"
# One worker on SQLite: it takes one writer at a time, and a lock timeout is not the bug we look for.
workers=1
case "$DATABASE_URL" in postgres*) workers=2 ;; esac
"$BIN/gunicorn" okrtracker.wsgi:application --bind "127.0.0.1:$port" --workers "$workers" --timeout 60 \
  --access-logfile /dev/null --error-logfile "$workdir/gunicorn.log" &
server_pid=$!
for _ in $(seq 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/api/schema/" 2>/dev/null && break
  sleep 0.2
done

echo "==> schemathesis ($MAX_EXAMPLES examples per operation)"
status=0
(cd "$workdir" && "$BIN/schemathesis" run "http://127.0.0.1:$port/api/schema/" \
  --header "Authorization: Token $token" \
  --checks "${FUZZ_CHECKS:-not_a_server_error,response_schema_conformance,content_type_conformance}" \
  --exclude-operation-id me_token_create --exclude-operation-id me_token_destroy \
  --max-examples "$MAX_EXAMPLES" --workers 1 --no-color \
  --generation-database none ${FUZZ_SEED:+--seed "$FUZZ_SEED"}) || status=$?
if grep -q "Traceback" "$workdir/gunicorn.log"; then
  echo "The server logged errors:" >&2
  cat "$workdir/gunicorn.log" >&2
  status=1
fi
exit "$status"
