#!/bin/sh
# A Celery worker (prefork). Run as many as you like, on as many machines, against one Redis and one
# PostgreSQL; give each a distinct WORKER_NAME. Tasks are acknowledged late: a worker killed mid-task
# loses nothing (see README "Reminders and the Friday digest").
set -eu
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
  rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi
exec "$PYTHON" -m celery -A okrtracker --quiet worker --loglevel "${LOG_LEVEL:-INFO}" \
  --concurrency "${CELERY_CONCURRENCY:-2}" --hostname "${WORKER_NAME:-worker}@%h" \
  --without-gossip --without-mingle
