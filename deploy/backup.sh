#!/bin/sh
# Back up the PostgreSQL database in pg_dump's custom format (compressed; pg_restore can pick tables).
#   deploy/backup.sh [FILE]      default: okrtracker-YYYY-mm-dd-HHMMSS.dump in the current directory
# Reads DATABASE_URL (postgres://user:password@host:port/name) from the environment.
set -eu
: "${DATABASE_URL:?set DATABASE_URL}"
file=${1:-okrtracker-$(date +%Y-%m-%d-%H%M%S).dump}
pg_dump --format=custom --no-owner --no-privileges --file="$file" --dbname="$DATABASE_URL"
echo "Backed up to $file ($(wc -c < "$file") bytes)"
