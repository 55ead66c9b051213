#!/bin/sh
# The release step: apply migrations once, before the new web processes, workers and beat start.
set -eu
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python}
exec "$PYTHON" manage.py migrate --noinput
