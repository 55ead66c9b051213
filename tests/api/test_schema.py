"""The OpenAPI schema is valid and the interactive docs load without any external URL."""

import re

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    # --validate checks against the OpenAPI 3 meta-schema; --fail-on-warn refuses guessed types.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in [
        "/api/v1/projects/",
        "/api/v1/projects/{project_pk}/updates/{week}/",
        "/api/v1/milestones/",
        "/api/v1/updates/",
        "/api/v1/incidents/",
        "/api/v1/objectives/",
        "/api/v1/key-results/",
        "/api/v1/readings/",
        "/api/v1/me/",
        "/api/v1/me/token/",
        "/api/v1/rollups/{week}/",
    ]:
        assert path in paths, path
    assert set(paths["/api/v1/projects/{project_pk}/updates/{week}/"]["put"]["responses"]) >= {"200", "201"}
    assert "tokenAuth" in schema["components"]["securitySchemes"]


@pytest.mark.django_db
def test_schema_and_docs_need_a_login_in_production_unless_made_public(anon, as_owner, settings):
    settings.API_DOCS_PUBLIC = False
    for path in ("/api/schema/", "/api/docs/"):
        assert anon.get(path).status_code == 401, path
        assert as_owner.get(path).status_code == 200, path
    settings.API_DOCS_PUBLIC = True
    response = anon.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "OKR tracker API"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/"])  # Redoc is not offered: its page loads web fonts
def test_docs_are_served_locally(as_owner, path):
    response = as_owner.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert sources, html
    assert all(not s.startswith(("http:", "https:", "//")) for s in sources), sources
    assert "cdn" not in html.lower()
    assert any("drf_spectacular_sidecar" in s for s in sources)


def english_schema(tmp_path) -> dict:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--lang", "en", "--file", str(target))
    return yaml.safe_load(target.read_text())


def test_request_bodies_are_json_only(tmp_path):
    schema = english_schema(tmp_path)
    bodies = [
        (path, method, operation["requestBody"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]
    assert {(p, m) for p, m, _ in bodies} >= {
        ("/api/v1/projects/", "post"),
        ("/api/v1/projects/{id}/", "put"),
        ("/api/v1/projects/{project_pk}/updates/{week}/", "put"),
        ("/api/v1/milestones/", "post"),
        ("/api/v1/readings/", "post"),
    }
    for path, method, body in bodies:
        assert list(body["content"]) == ["application/json"], (path, method)
        assert "415" in schema["paths"][path][method]["responses"], (path, method)


def test_json_only_is_what_the_api_accepts(as_owner, plan, week_53):  # week 53 is this week, open to writes
    url = f"/api/v1/projects/{plan['pos'].pk}/updates/2023-W53/"
    form = as_owner.put(url, "summary=Trial+passed.", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415
    assert "detail" in form.json()
    assert as_owner.put(url, {"summary": "Trial passed."}, format="json").status_code == 201


def test_enums_carry_values_labels_and_names(tmp_path):
    schemas = english_schema(tmp_path)["components"]["schemas"]
    health = schemas["HealthEnum"]
    assert health["enum"] == ["on_track", "at_risk", "off_track"]
    assert health["x-enum-varnames"] == ["ON_TRACK", "AT_RISK", "OFF_TRACK"]
    assert health["x-enum-descriptions"] == ["On track", "At risk", "Off track"]
    assert schemas["GradeEnum"]["x-enum-descriptions"][-1] == "Below incident level"
    assert "`in_progress` - In progress" in schemas["ProjectStatusEnum"]["description"]


def test_errors_are_shared_components_on_every_operation(tmp_path):
    schema = english_schema(tmp_path)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"401", "403", "429"} <= set(responses), (path, method)
            for code, response in responses.items():
                if code.startswith("4"):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    expected = "FieldErrors" if code == "400" else "Error"
                    assert ref == f"#/components/schemas/{expected}", (path, method, code)


def test_the_rollup_is_typed_down_to_project_lines_and_incidents(tmp_path):
    schema = english_schema(tmp_path)
    schemas = schema["components"]["schemas"]
    ok = schema["paths"]["/api/v1/rollups/{week}/"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Rollup"}

    def ref(schema_or_items):
        node = schema_or_items.get("items", schema_or_items)
        return (node.get("$ref") or node["allOf"][0]["$ref"]).rsplit("/", 1)[1]

    rollup = schemas["Rollup"]["properties"]
    assert ref(rollup["objectives"]) == "RollupObjectiveLine"
    assert ref(schemas["RollupObjectiveLine"]["properties"]["projects"]) == "RollupProjectLine"
    assert ref(rollup["incidents"]) == "RollupIncidentLine"
    assert ref(rollup["metrics"]) == "RollupKeyResultLine"
    assert ref(rollup["incident_counts"]) == "RollupIncidentCounts"
    project = schemas["RollupProjectLine"]["properties"]
    assert project["health"] == {"$ref": "#/components/schemas/HealthEnum"}
    assert project["update"]["nullable"] is True and ref(project["update"]) == "RollupUpdateText"
    assert ref(project["launch"]) == "RollupDateSlip"
    assert schemas["RollupIncidentLine"]["properties"]["detected_at"]["format"] == "date-time"
    assert schemas["RollupIncidentLine"]["properties"]["grade"] == {"$ref": "#/components/schemas/GradeEnum"}
    # Present on frozen data only, or missing from old snapshots: documented, not required.
    required = set(schemas["Rollup"]["required"])
    assert {"frozen_at", "compiled_on_time", "as_of", "cutoff"} <= set(rollup) - required
    assert {"week", "cycle", "key_work", "objectives", "incidents", "reflections", "frozen"} <= required


def test_the_browsable_api_still_offers_a_json_form(owner, plan, client):
    client.force_login(owner)
    page = client.get(f"/api/v1/projects/{plan['pos'].pk}/updates/2023-W53/", HTTP_ACCEPT="text/html")
    assert page.status_code == 404  # no update yet, but the page renders with its PUT form
    html = page.content.decode()
    assert 'value="application/json"' in html
    assert "multipart/form-data" not in html and "x-www-form-urlencoded" not in html
