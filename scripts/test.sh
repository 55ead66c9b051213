#!/usr/bin/env bash
# Run the test suite: sets up .venv with the development requirements when needed, then pytest.
# Uses PostgreSQL when DATABASE_URL says so, SQLite otherwise; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
stamp=.venv/.requirements-dev-installed
if [ ! -f "$stamp" ] || ! cat requirements.txt requirements-dev.txt requirements-ldap.txt | cmp -s - "$stamp"; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements-dev.txt
  # python-ldap builds against libldap2-dev and libsasl2-dev; without them the LDAP tests skip (not in CI).
  if ! .venv/bin/python -m pip install --quiet -r requirements-ldap.txt; then
    case "${CI:-}" in 1|true|yes) echo "python-ldap could not be installed" >&2; exit 1 ;; esac
    echo "note: python-ldap could not be built (apt-get install libldap2-dev libsasl2-dev); LDAP tests will skip" >&2
  fi
  cat requirements.txt requirements-dev.txt requirements-ldap.txt > "$stamp"
fi
exec .venv/bin/python -m pytest "$@"
