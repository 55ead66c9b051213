#!/usr/bin/env bash
# Set up and run the whole product on a fresh machine that has only Python 3.11+:
# a virtualenv, the requirements, the database, demo data (when empty), then the web server,
# a Celery worker and Celery beat together. Ctrl-C, or TERM to this script alone, stops everything
# this script started within 10 seconds.
#
# Embedded defaults: SQLite in var/ and a broker on the filesystem; set REDIS_URL (and
# DATABASE_URL) to use Redis (and PostgreSQL) instead. PORT chooses the web port (default 8000).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
PORT=${PORT:-8000}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is needed." >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating the virtualenv in .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements-installed
if [ ! -f "$stamp" ] || ! cmp -s requirements.txt "$stamp"; then
  echo "==> Installing requirements (first run takes a minute)"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  cp requirements.txt "$stamp"
fi

if [ ! -f .env ]; then
  echo "==> Writing .env for local development (DEBUG on, a random SECRET_KEY)"
  key=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')
  printf 'DEBUG=true\nSECRET_KEY=%s\nSITE_URL=http://127.0.0.1:%s\n' "$key" "$PORT" > .env
fi
mkdir -p var/broker/processed

echo "==> Migrating the database"
.venv/bin/python manage.py migrate --noinput
if [ "$(.venv/bin/python manage.py shell -c 'from projects.models import Project; print(Project.objects.exists())' 2>/dev/null | tail -n 1)" != "True" ]; then
  echo "==> Empty database: loading the demo data"
  .venv/bin/python manage.py load_demo
fi

pids=()
# Stops everything within 10 s, whether Ctrl-C reached the whole process group or TERM reached this
# script alone (`timeout`, a service manager): TERM to each process (the worker's warm shutdown lets a
# running task finish), then, after GRACE seconds, KILL to whatever is left and to its pool processes.
GRACE=${STOP_GRACE_SECONDS:-6}
alive() {  # any of them still running (an exited child stays a zombie until waited for: not alive)
  local pid state
  for pid in "${pids[@]}"; do
    state=$(ps -o stat= -p "$pid" 2>/dev/null) || continue
    [[ $state == Z* ]] || return 0
  done
  return 1
}
stop() {
  trap - INT TERM EXIT
  echo; echo "==> Stopping web, worker and beat"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local deadline=$((SECONDS + GRACE))
  while alive && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      echo "==> Process $pid did not stop within ${GRACE}s: killing it"
      pkill -KILL -P "$pid" 2>/dev/null || true  # its children (the worker's pool)
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  wait "${pids[@]}" 2>/dev/null || true
  echo "==> Stopped"
}
trap stop INT TERM EXIT

.venv/bin/python manage.py runserver "127.0.0.1:$PORT" --noreload &
pids+=($!)
.venv/bin/celery -A okrtracker worker --loglevel INFO --concurrency 2 --without-gossip --without-mingle &
pids+=($!)
.venv/bin/celery -A okrtracker beat --loglevel INFO --pidfile var/celerybeat.pid &
pids+=($!)

sleep 3
cat <<MSG

  OKR tracker is running: http://127.0.0.1:$PORT/
    admin            http://127.0.0.1:$PORT/admin/
    demo week 53     http://127.0.0.1:$PORT/rollup/2023-W53/
  Demo logins (for the demo only): director / director-demo-2023,
  owners chenjing, liuyang, zhaolei, sunli, wuhao, zhengmin / owner-demo-2023,
  superuser admin / admin-demo-2023.
  Ctrl-C (or TERM to this script) stops web, worker and beat.

MSG
wait -n "${pids[@]}"
