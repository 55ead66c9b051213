#!/bin/sh
# Celery beat: ONE, and only one, for the whole installation. Two beats enqueue every schedule twice
# (deliveries are still sent once, but do not rely on it). It reads the schedules from the database
# (admin > Periodic tasks) and records a heartbeat that /readyz and `manage.py check_health` watch.
set -eu
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
exec "$PYTHON" -m celery -A okrtracker --quiet beat --loglevel "${LOG_LEVEL:-INFO}" --pidfile=
