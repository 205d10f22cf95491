"""The OpenAPI schema is valid, warning-free, complete, and its docs need no CDN."""

from __future__ import annotations

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db

# The endpoints of docs/api.md, as (method, path) pairs of the schema.
ENDPOINTS = {
    ("post", "/api/v1/auth/signup/"),
    ("post", "/api/v1/auth/token/"),
    ("get", "/api/v1/auth/tokens/"),
    ("delete", "/api/v1/auth/tokens/{id}/"),
    ("get", "/api/v1/me/"),
    ("patch", "/api/v1/me/"),
    ("post", "/api/v1/invitations/{key}/accept/"),
    ("get", "/api/v1/orgs/"),
    ("get", "/api/v1/orgs/{org_slug}/"),
    ("patch", "/api/v1/orgs/{org_slug}/"),
    ("get", "/api/v1/orgs/{org_slug}/members/"),
    ("patch", "/api/v1/orgs/{org_slug}/members/{id}/"),
    ("get", "/api/v1/orgs/{org_slug}/invitations/"),
    ("post", "/api/v1/orgs/{org_slug}/invitations/"),
    ("delete", "/api/v1/orgs/{org_slug}/invitations/{id}/"),
    *(
        (method, f"/api/v1/orgs/{{org_slug}}/{resource}/{suffix}")
        for resource in ("teams", "cycles", "objectives", "key-results")
        for method, suffix in [
            ("get", ""),
            ("post", ""),
            ("get", "{id}/"),
            ("put", "{id}/"),
            ("patch", "{id}/"),
            ("delete", "{id}/"),
        ]
    ),
    ("get", "/api/v1/orgs/{org_slug}/key-results/{key_result_pk}/check-ins/"),
    ("post", "/api/v1/orgs/{org_slug}/key-results/{key_result_pk}/check-ins/"),
    ("get", "/api/v1/orgs/{org_slug}/activity/"),
    ("get", "/api/v1/orgs/{org_slug}/tree/"),
    ("post", "/api/v1/orgs/{org_slug}/key-results/{id}/grade/"),
    ("get", "/api/v1/orgs/{org_slug}/cycles/{id}/summary/"),
    ("post", "/api/v1/orgs/{org_slug}/cycles/{id}/roll-over/"),
}


def test_it_generates_a_valid_schema_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"

    call_command("spectacular", validate=True, fail_on_warn=True, file=str(target))

    schema = yaml.safe_load(target.read_text())
    documented = {
        (method, path) for path, operations in schema["paths"].items() for method in operations
    }
    assert not ENDPOINTS - documented, ENDPOINTS - documented
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_it_serves_the_schema_and_the_docs_from_this_site(client):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"/api/v1/orgs/{org_slug}/tree/" in schema.content
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert "//unpkg" not in html and "jsdelivr" not in html


def test_it_documents_numbers_as_numbers(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)

    key_result = schema["components"]["schemas"]["KeyResult"]["properties"]
    assert key_result["target_value"]["type"] == "number"
    assert key_result["progress"]["type"] == "number"


def test_it_documents_pace_grades_and_roll_overs_as_always_answered(client):
    schemas = yaml.safe_load(client.get("/api/schema/").content)["components"]["schemas"]

    pace = {"expected_progress", "status", "score", "rolled_over_from"}
    assert pace <= set(schemas["Objective"]["required"])
    key_result = {*pace, "forecast_value", "forecast_progress", "grade", "grade_note"}
    assert key_result <= set(schemas["KeyResult"]["required"])
    assert key_result <= set(schemas["TreeKeyResult"]["required"])
    assert schemas["KeyResult"]["properties"]["forecast_value"]["nullable"] is True
    assert schemas["KeyResult"]["properties"]["grade"]["maximum"] == 1
    assert set(schemas["PaceStatusEnum"]["enum"]) == {
        "done",
        "not_started",
        "on_track",
        "at_risk",
        "off_track",
    }
    assert set(schemas["CycleSummary"]["required"]) == {
        "cycle",
        "progress",
        "key_results",
        "objectives",
        "checked_in_within_cadence",
        "behind",
    }
    assert set(schemas["RolledOver"]["required"]) == {"id", "rolled_over_from"}
