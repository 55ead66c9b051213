#!/bin/sh
# The web service's start step: collect static files (served by whitenoise), then gunicorn.
# Migrations are a separate step (deploy/migrate.sh, the okrtracker-migrate unit, the compose
# "migrate" service): several web processes must never migrate at once.
set -eu
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
"$PYTHON" manage.py collectstatic --noinput --verbosity 0
exec "$PYTHON" -m gunicorn -c deploy/gunicorn.conf.py okrtracker.wsgi
