#!/usr/bin/env bash
# Run the test suite: sets up .venv with the development requirements when needed, then pytest.
# Uses PostgreSQL when DATABASE_URL says so, SQLite otherwise; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.requirements-dev-installed
if [ ! -f "$stamp" ] || ! cat requirements.txt requirements-dev.txt | cmp -s - "$stamp"; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements-dev.txt
  cat requirements.txt requirements-dev.txt > "$stamp"
fi
exec .venv/bin/python -m pytest "$@"
