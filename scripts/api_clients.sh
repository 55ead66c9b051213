#!/usr/bin/env bash
# Generated API clients, as an integrator makes them: a Python client (openapi-python-client) and
# TypeScript types (openapi-typescript) from the OpenAPI schema, then the Python client against a live
# server with the demo data.
#
# 1. Exports the schema (manage.py spectacular, English, validated, warnings fail).
# 2. Generates the Python client; any generation warning fails; every generated module must import.
# 3. Generates the TypeScript types (tools pinned in scripts/clients/package-lock.json, installed into
#    var/npm) and type-checks scripts/clients/types_check.ts against them with tsc.
# 4. Starts gunicorn on a free 127.0.0.1 port against a throwaway database loaded with the demo data
#    and runs scripts/clients/client_check.py and examples/weekly_update.py with the generated client
#    as a project owner (token login). Stops the server by itself. Nothing generated is kept.
#
# Options: CLIENTS_DATABASE_URL (an empty throwaway database; SQLite in the temp dir otherwise),
# VENV_BIN (default .venv/bin), NPM_DIR (default var/npm).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=$(cd "${VENV_BIN:-.venv/bin}" && pwd)
NPM_DIR=${NPM_DIR:-$ROOT/var/npm}

workdir=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$workdir"
}
trap cleanup EXIT

export DEBUG=false SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 ALLOWED_HOSTS=127.0.0.1,localhost
export SECRET_KEY=api-clients-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz
export DATABASE_URL="${CLIENTS_DATABASE_URL:-sqlite:///$workdir/clients.sqlite3}"
export API_THROTTLE_USER=1000000/minute API_THROTTLE_ANON=1000000/minute LOG_LEVEL=WARNING
# The readiness probe reads the schema without signing in; rate limits are off, so a per-process cache will do.
export API_DOCS_PUBLIC=true ALLOW_LOCAL_CACHE=true
unset REDIS_URL CELERY_BROKER_URL || true

echo "==> OpenAPI schema"
"$BIN/python" manage.py spectacular --lang en --validate --fail-on-warn --file "$workdir/schema.yaml"
echo "    $(grep -c '^    [A-Za-z]*:$' "$workdir/schema.yaml") components"

echo "==> Python client (openapi-python-client $("$BIN/openapi-python-client" --version | awk '{print $NF}'))"
# It runs ruff on what it generates: the project's pinned ruff, from the virtualenv.
(cd "$workdir" && PATH="$BIN:$PATH" "$BIN/openapi-python-client" generate --path schema.yaml \
  --config "$ROOT/scripts/clients/openapi-python-client.yaml" --meta none --output-path okrtracker_client \
  >generate.log 2>&1) || { cat "$workdir/generate.log"; exit 1; }
if grep -qiE 'warning|error|skipping|unsupported' "$workdir/generate.log"; then
  echo "openapi-python-client reported problems:" >&2
  cat "$workdir/generate.log" >&2
  exit 1
fi
PYTHONPATH="$workdir" "$BIN/python" - <<'PY'
import importlib, pkgutil
import okrtracker_client as package
names = [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
failed = []
for name in names:
    try:
        importlib.import_module(name)
    except Exception as exc:  # every module must import: report them all, then fail
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print(f"    {len(names) - len(failed)} of {len(names)} generated modules import")
if failed:
    raise SystemExit("\n".join(failed))
PY

echo "==> TypeScript types (openapi-typescript), type-checked with tsc"
mkdir -p "$NPM_DIR"
if ! cmp -s scripts/clients/package-lock.json "$NPM_DIR/package-lock.json" || [ ! -d "$NPM_DIR/node_modules" ]; then
  cp scripts/clients/package.json scripts/clients/package-lock.json "$NPM_DIR/"
  (cd "$NPM_DIR" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
fi
mkdir -p "$workdir/ts"
cp scripts/clients/types_check.ts scripts/clients/tsconfig.json "$workdir/ts/"
"$NPM_DIR/node_modules/.bin/openapi-typescript" "$workdir/schema.yaml" -o "$workdir/ts/okrtracker.d.ts" \
  >"$workdir/ts.log" 2>&1 || { cat "$workdir/ts.log"; exit 1; }
if grep -qiE 'warn|error' "$workdir/ts.log"; then
  echo "openapi-typescript reported problems:" >&2
  cat "$workdir/ts.log" >&2
  exit 1
fi
echo "    $(wc -l <"$workdir/ts/okrtracker.d.ts") lines of types"
(cd "$workdir/ts" && "$NPM_DIR/node_modules/.bin/tsc" -p tsconfig.json)
echo "    types_check.ts compiles"

echo "==> Throwaway database with the demo data"
"$BIN/python" manage.py migrate --verbosity 0
"$BIN/python" manage.py load_demo >/dev/null
# A project owner of the demo whose projects have milestones, and someone else's project beside them.
username=$("$BIN/python" manage.py shell -v0 -c '
from projects.models import Project
print(Project.objects.filter(milestones__isnull=False, owner__groups__name="Project owners").order_by("pk").first().owner.username)')
token=$("$BIN/python" manage.py drf_create_token "$username" | awk '{print $3}')

port=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "==> gunicorn on 127.0.0.1:$port, as $username"
workers=1
case "$DATABASE_URL" in postgres*) workers=2 ;; esac
"$BIN/gunicorn" okrtracker.wsgi:application --bind "127.0.0.1:$port" --workers "$workers" --timeout 60 \
  --access-logfile /dev/null --error-logfile "$workdir/gunicorn.log" &
server_pid=$!
for _ in $(seq 50); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/api/schema/" 2>/dev/null && break
  sleep 0.2
done

export OKR_URL="http://127.0.0.1:$port" OKR_TOKEN="$token" PYTHONPATH="$workdir"
status=0
echo "==> The generated Python client against the live server"
timeout 120 "$BIN/python" scripts/clients/client_check.py || status=$?
if [ "$status" -eq 0 ]; then
  echo "==> examples/weekly_update.py"
  timeout 60 "$BIN/python" examples/weekly_update.py --list || status=$?
  project=$(timeout 60 "$BIN/python" examples/weekly_update.py --list | awk 'NR == 1 {print $1}')
  timeout 60 "$BIN/python" examples/weekly_update.py --project "$project" --health at_risk \
    --summary "Written by examples/weekly_update.py." --next-steps "Shift 5% of traffic." || status=$?
  # A refused update says why and exits 1.
  set +e
  timeout 60 "$BIN/python" examples/weekly_update.py --project "$project" --percent 140 --summary "Too much." \
    2>"$workdir/refused.log"
  refused=$?
  set -e
  if [ "$refused" -ne 1 ] || ! grep -q '^percent: ' "$workdir/refused.log"; then
    echo "examples/weekly_update.py did not refuse percent 140 with the server's message:" >&2
    cat "$workdir/refused.log" >&2
    status=1
  else
    echo "    refused as expected: $(cat "$workdir/refused.log")"
  fi
fi
if grep -q "Traceback" "$workdir/gunicorn.log"; then
  echo "The server logged errors:" >&2
  cat "$workdir/gunicorn.log" >&2
  status=1
fi
exit "$status"
