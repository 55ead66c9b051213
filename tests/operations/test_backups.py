"""Backups: a pg_dump (custom format) of the demo restores into a fresh database with the same rollup of
the demo week; ``manage.py export_all`` loads into a freshly migrated installation with the same rollup.

The rollups are built by separate processes, one per database, with the same settings, and compared
as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from .processes import BASE_DIR, DEPLOY, database_url, production_env, require_postgresql

pytestmark = [pytest.mark.slow, pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROLLUP = """
import json, django
django.setup()
from django.core.serializers.json import DjangoJSONEncoder
from projects.weeks import Week
from reports.rollup import build_rollup
print(json.dumps(build_rollup(Week.parse("2023-W53")), cls=DjangoJSONEncoder, sort_keys=True))
"""


def rollup_of(url: str) -> dict:
    env = production_env(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="tests.settings")
    done = subprocess.run(
        [sys.executable, "-c", ROLLUP], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rollup = json.loads(done.stdout.strip().splitlines()[-1])
    rollup.pop("compiled_at")  # when it was built: the only thing that differs
    return rollup


@pytest.fixture
def fresh_database():
    """An empty database beside the test database, dropped afterwards."""
    require_postgresql()
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield database_url().rsplit("/", 1)[0] + "/" + name
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def without_ids(data):
    """The rollup without database ids, which a new installation gives out anew (users especially)."""
    if isinstance(data, dict):
        return {key: without_ids(value) for key, value in data.items() if key != "id" and not key.endswith("_id")}
    if isinstance(data, list):
        return [without_ids(item) for item in data]
    return data


def run(*command: str, env: dict) -> str:
    done = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
    return done.stdout


def test_a_restored_dump_gives_the_same_rollup_of_the_demo_week(fresh_database, tmp_path):
    call_command("load_demo", verbosity=0)
    original = rollup_of(database_url())
    assert original["stats"]["projects"] > 0 and original["objectives"]  # the demo week, not an empty page
    dump = tmp_path / "okrtracker.dump"
    env = production_env()
    run(str(DEPLOY / "backup.sh"), str(dump), env=env)
    assert dump.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    run(str(DEPLOY / "restore.sh"), str(dump), fresh_database, env=env)
    assert rollup_of(fresh_database) == original
    # Restoring over data is refused.
    refused = subprocess.run([str(DEPLOY / "restore.sh"), str(dump), fresh_database], env=env, capture_output=True)
    assert refused.returncode == 1 and b"already has" in refused.stderr


def test_export_all_moves_every_record_to_a_new_installation(fresh_database, tmp_path):
    call_command("load_demo", verbosity=0)
    original = rollup_of(database_url())
    export = tmp_path / "export.json"
    env = production_env()
    out = run(sys.executable, "manage.py", "export_all", "--output", str(export), env=env)
    records = json.loads(export.read_text())
    assert str(len(records)) in out.splitlines()[-1]  # "1411 records written to …", in the default language
    models = {record["model"] for record in records}
    assert {"auth.user", "projects.project", "projects.progressupdate", "reports.directornote"} <= models
    assert "authtoken.token" not in models and "sessions.session" not in models  # secrets stay behind
    assert not any(
        "password" in r["fields"] and not r["fields"]["password"] for r in records if r["model"] == "auth.user"
    )

    new = production_env(DATABASE_URL=fresh_database)
    run(str(DEPLOY / "migrate.sh"), env=new)
    run(sys.executable, "manage.py", "loaddata", str(export), env=new)
    assert without_ids(rollup_of(fresh_database)) == without_ids(original)
