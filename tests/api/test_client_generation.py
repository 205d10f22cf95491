"""The schema generates a typed client without a single warning, and is a valid OpenAPI document.

What generated clients rely on (``docs/api.md``, "Generated clients"): every
answer's fields required, typed errors on every operation, the tree's nodes as
components, real ranges, no internal docstrings as descriptions.
"""

from __future__ import annotations

import inspect

import pytest
from openapi_spec_validator import validate

from okr.api import serializers
from okr.api.views import auth, okrs, organization, tree

THROTTLED = {
    ("post", "/api/v1/auth/signup/"),
    ("post", "/api/v1/auth/token/"),
    ("post", "/api/v1/invitations/{key}/accept/"),
}
ANONYMOUS = THROTTLED


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def component(schema, name):
    return schema["components"]["schemas"][name]


def test_it_generates_a_client_without_a_warning(generated_client):
    assert generated_client.returncode == 0, generated_client.output
    assert "Warning" not in generated_client.output, generated_client.output
    # The post-generation hooks (ruff) ran: nothing was skipped.
    assert "Skipping" not in generated_client.output, generated_client.output
    models = generated_client.package.models
    for name in ("Tree", "TreeObjective", "TreeKeyResult", "PrivateObjective"):
        assert hasattr(models, name), name
    assert hasattr(models, "Error") and hasattr(models, "ValidationError")
    assert hasattr(models, "LogInRequest") and not hasattr(models, "TokenRequestRequest")


def test_it_is_a_valid_openapi_document(generated_client):
    validate(generated_client.schema)


def test_each_branch_of_a_tree_node_is_a_component(generated_client):
    schema = generated_client.schema
    tree_answer = schema["paths"]["/api/v1/orgs/{org_slug}/tree/"]["get"]["responses"]["200"]
    node = component(schema, "Tree")["properties"]["objectives"]["items"]

    assert tree_answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Tree"
    }
    assert node == {
        "oneOf": [
            {"$ref": "#/components/schemas/TreeObjective"},
            {"$ref": "#/components/schemas/PrivateObjective"},
        ]
    }
    tree_objective = component(schema, "TreeObjective")
    tree_key_result = component(schema, "TreeKeyResult")
    # Whatever fields the answers carry, the tree's nodes carry them too.
    assert set(tree_objective["properties"]) == {
        *component(schema, "Objective")["properties"],
        "key_results",
    }
    assert set(tree_key_result["properties"]) == {
        *component(schema, "KeyResult")["properties"],
        "children",
    }
    assert tree_key_result["properties"]["children"]["items"] == node
    assert not list(_inline_union_branches(schema))


def _inline_union_branches(item):
    """Branches of a ``oneOf`` that are object schemas written in place, not components."""
    if isinstance(item, dict):
        for branch in item.get("oneOf", []):
            if "allOf" in branch or "properties" in branch:
                yield branch
        for value in item.values():
            yield from _inline_union_branches(value)
    elif isinstance(item, list):
        for value in item:
            yield from _inline_union_branches(value)


def test_every_operation_declares_its_errors_with_a_typed_body(generated_client):
    schema = generated_client.schema
    error = {"$ref": "#/components/schemas/Error"}
    validation_error = {"$ref": "#/components/schemas/ValidationError"}

    for method, path, operation in operations(schema):
        responses = operation["responses"]
        for code, answer in responses.items():
            if code[0] == "4":
                body = answer["content"]["application/json"]["schema"]
                assert body == (validation_error if code == "400" else error), (method, path)
        assert ("429" in responses) == ((method, path) in THROTTLED), (method, path)
        if (method, path) not in {
            ("post", "/api/v1/auth/signup/"),
            ("post", "/api/v1/auth/token/"),
        }:
            assert "401" in responses, (method, path)
        if "{" in path or any(p["name"] == "page" for p in operation.get("parameters", [])):
            assert "404" in responses, (method, path)
        if "requestBody" in operation:
            assert "400" in responses, (method, path)
        if method != "get" and operation.get("security"):
            assert "403" in responses, (method, path)

    assert "403" in schema["paths"]["/api/v1/orgs/{org_slug}/invitations/"]["get"]["responses"]
    assert "403" not in schema["paths"]["/api/v1/me/"]["get"]["responses"]
    assert "400" not in schema["paths"]["/api/v1/auth/tokens/{id}/"]["delete"]["responses"]
    assert component(schema, "Error")["required"] == ["detail"]
    assert component(schema, "ValidationError")["additionalProperties"] == {
        "type": "array",
        "items": {"type": "string"},
    }


def test_anyone_may_call_what_needs_no_credentials(generated_client):
    for method, path, operation in operations(generated_client.schema):
        if (method, path) in ANONYMOUS:
            assert not operation.get("security"), (method, path)
        else:
            assert operation["security"] == [{"bearerAuth": []}, {"cookieAuth": []}], (method, path)


def _response_components(schema) -> set[str]:
    """The components reachable from the answers."""
    found: set[str] = set()
    pending = [
        answer
        for _, _, operation in operations(schema)
        for answer in operation["responses"].values()
    ]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            ref = item.get("$ref", "")
            if ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] not in found:
                name = ref.rsplit("/", 1)[1]
                found.add(name)
                pending.append(component(schema, name))
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


def test_answers_require_every_field_they_always_send(generated_client):
    schema = generated_client.schema
    names = _response_components(schema) - {"ValidationError"}

    assert {"Objective", "KeyResult", "Me", "PaginatedObjectiveList", "Tree"} <= names
    for name in names:
        properties = component(schema, name).get("properties")
        if properties:
            assert set(component(schema, name)["required"]) == set(properties), name
    page = component(schema, "PaginatedKeyResultList")["properties"]
    assert page["next"]["nullable"] and page["previous"]["nullable"]
    key_result = component(schema, "KeyResult")["properties"]
    assert key_result["last_check_in_at"]["nullable"]
    assert not key_result["title"].get("nullable")
    assert component(schema, "Objective")["properties"]["team"]["nullable"]


def test_it_documents_the_real_ranges_of_the_check_in_settings(generated_client):
    schema = generated_client.schema
    for name in ("Organization", "PatchedOrganizationRequest"):
        properties = component(schema, name)["properties"]
        ranges = {
            field: (properties[field]["minimum"], properties[field]["maximum"])
            for field in ("checkin_weekday", "checkin_hour", "checkin_cadence_days")
        }
        assert ranges == {
            "checkin_weekday": (0, 6),
            "checkin_hour": (0, 23),
            "checkin_cadence_days": (1, 90),
        }


def test_the_level_filter_is_the_level_enum(generated_client):
    schema = generated_client.schema
    parameters = schema["paths"]["/api/v1/orgs/{org_slug}/objectives/"]["get"]["parameters"]

    level = next(p for p in parameters if p["name"] == "level")

    assert level["schema"] == {"$ref": "#/components/schemas/LevelEnum"}
    enums = [name for name, body in schema["components"]["schemas"].items() if "enum" in body]
    assert not [name for name in enums if "Level" in name and name != "LevelEnum"]


def test_the_log_in_body_has_a_plain_name(generated_client):
    body = generated_client.schema["paths"]["/api/v1/auth/token/"]["post"]["requestBody"]

    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LogInRequest"
    }


def _docstrings() -> set[str]:
    found = set()
    for module in (auth, okrs, organization, tree, serializers):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            for item in (cls, *vars(cls).values()):
                doc = inspect.getdoc(item) if callable(item) or inspect.isclass(item) else None
                if doc:
                    found.add(doc.strip())
    return found


@pytest.mark.parametrize("name", ["summary", "description"])
def test_operations_are_described_for_the_public_not_by_docstrings(generated_client, name):
    docstrings = _docstrings()
    assert docstrings  # the views do have docstrings
    described = [
        operation[name]
        for _, _, operation in operations(generated_client.schema)
        if name in operation
    ]

    assert described
    assert not [text for text in described if text.strip() in docstrings]
    assert not [text for text in described if "``" in text or "SPEC" in text]


def test_components_are_not_described_by_docstrings(generated_client):
    docstrings = _docstrings()
    described = {
        name: body["description"]
        for name, body in generated_client.schema["components"]["schemas"].items()
        if "description" in body
    }

    assert described["Authenticated"]
    assert not {name: text for name, text in described.items() if text.strip() in docstrings}
    assert not {name: text for name, text in described.items() if "``" in text}
