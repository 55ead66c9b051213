"""The rollup's declaration (reports/rollup/types.py, as the API schema documents it) matches what the
builder really returns: live and frozen, filtered, old snapshots, and through the API.

The OpenAPI component ``Rollup`` is turned into a JSON Schema that is closed (a key the declaration
does not know fails) and checks formats (dates, aware datetimes, decimal strings without trailing
zeros), then every rollup of the demo department is validated against it.
"""

from __future__ import annotations

import copy
import re
from datetime import date, datetime
from io import StringIO

import jsonschema
import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from projects.weeks import Week
from reports.freeze import rollup_freeze
from reports.models import RollupSnapshot
from reports.rollup import RollupFilters, Source, build_rollup, read_week

pytestmark = pytest.mark.django_db
DEMO_WEEKS = ["2023-W38", "2023-W52", "2023-W53", "2024-W01"]
DECIMAL = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$")


def _json_schema(node):
    """OpenAPI 3.0 schema -> JSON Schema: ``nullable`` as null, refs to $defs, every object closed."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _json_schema(v) for k, v in node.items()}
    if "$ref" in node:
        node["$ref"] = node["$ref"].replace("#/components/schemas/", "#/$defs/")
    if "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture(scope="module")
def validator(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    schema = {"$ref": "#/$defs/Rollup", "$defs": _json_schema(copy.deepcopy(components))}
    checker = jsonschema.FormatChecker(formats=())  # formats apply to strings only, as in JSON Schema
    checker.checks("date", raises=ValueError)(lambda v: not isinstance(v, str) or bool(date.fromisoformat(v)))
    checker.checks("date-time", raises=ValueError)(
        lambda v: not isinstance(v, str) or datetime.fromisoformat(v).tzinfo is not None
    )
    checker.checks("decimal")(lambda v: not isinstance(v, str) or bool(DECIMAL.match(v)))
    return jsonschema.Draft202012Validator(schema, format_checker=checker)


def problems(validator, data) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo department, loaded once for the module and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_loaded, db):
    return None


@pytest.mark.parametrize("code", DEMO_WEEKS)
def test_live_rollups_of_the_demo_match_the_declaration(validator, demo, code):
    data = build_rollup(Week.parse(code))
    assert problems(validator, data) == []
    # The demo reaches the typed parts: projects with updates and milestones, incidents, metrics.
    assert data["objectives"] and any(o["projects"] for o in data["objectives"])
    assert data["metrics"]


def test_the_week_still_ahead_and_filtered_rollups_match(validator, demo):
    with time_machine.travel("2023-12-29 10:00 +0800", tick=False):  # before the report's moment
        data = build_rollup(Week.parse("2023-W53"))
        assert problems(validator, data) == []
        filtered = read_week(
            Week.parse("2023-W53"), filters=RollupFilters(objective="O2", health="on_track", changes_only=True)
        )
    assert problems(validator, filtered) == []
    assert filtered["filters"]["objective"] == "O2"


def test_frozen_and_version_1_snapshots_match(validator, demo, director):
    week = Week.parse("2023-W53")
    rollup_freeze(week=week, user=director)
    frozen = read_week(week, source=Source.FROZEN)
    assert frozen["frozen"] is True and "frozen_at" in frozen and "compiled_on_time" in frozen
    assert problems(validator, frozen) == []

    # A snapshot frozen by version 1 of the builder had no as_of, cutoff or period_start.
    snapshot = RollupSnapshot.objects.get(week_start=week.monday)
    snapshot.data = {k: v for k, v in snapshot.data.items() if k not in ("as_of", "cutoff", "period_start")}
    snapshot.data["version"] = 1
    snapshot.save(update_fields=["data"])
    old = read_week(week, source=Source.FROZEN)
    assert "as_of" not in old
    assert problems(validator, old) == []


def test_the_declaration_catches_what_it_does_not_say(validator, demo):
    data = build_rollup(Week.parse("2023-W53"))
    i, j, project = next(
        (i, j, p)
        for i, o in enumerate(data["objectives"])
        for j, p in enumerate(o["projects"])
        if p["milestones"] and not p["is_key_work"]  # key work is listed twice
    )
    incident = data["incidents"][0]

    project["surprise"] = 1  # an undeclared key
    project["percent"] = "81%"  # a wrong type
    project["milestones"][0]["status"] = "finished"  # not a milestone status
    incident["share"] = "1.50"  # trailing zero
    incident["detected_at"] = "2023-12-26T10:00:00"  # naive
    del data["week"]["code"]  # a missing key
    data["cycle"] = None  # nullable: fine
    at = f"objectives/{i}/projects/{j}"
    assert sorted(problems(validator, data)) == sorted(
        [
            f"{at}: Additional properties are not allowed ('surprise' was unexpected)",
            f"{at}/percent: '81%' is not of type 'number'",
            f"{at}/milestones/0/status: 'finished' is not one of "
            "['not_started', 'in_progress', 'blocked', 'done', 'cancelled']",
            "incidents/0/share: '1.50' is not a 'decimal'",
            "incidents/0/detected_at: '2023-12-26T10:00:00' is not a 'date-time'",
            "week: 'code' is a required property",
        ]
    )


def test_the_api_answers_what_it_documents(validator, demo, director):
    client = APIClient()
    client.force_authenticate(director)
    for query in ("", "?live=1", "?objective=O3&changes=1"):
        response = client.get(f"/api/v1/rollups/2023-W53/{query}")
        assert response.status_code == 200
        assert problems(validator, response.json()) == []
