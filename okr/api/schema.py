"""How the OpenAPI schema describes the API, so that a generated client can rely on it.

Generic rules, so that fields and endpoints added later are described alike
(``docs/api.md``, "Generated clients"):

- Answers list every field as required: the server always sends them all
  (nullable where they can be null). Pages require ``next`` and ``previous``
  too (``okr.api.pagination``).
- Every operation declares the errors it can answer, each with a typed body:
  ``Error`` (``{"detail"}``) for 401, 403, 404 and 429, ``ValidationError``
  (messages by field, ``non_field_errors``) for 400. Which ones follows from
  the view: its authentication, throttles, path, body and filters.
- An operation that anyone may call declares no security requirement.
- Operations are described by their ``summary`` and an explicit public
  ``description``, components by a serializer's ``schema_description``: never
  by the code's docstrings.
- The tree's nodes are components built from the ``Objective`` and ``KeyResult``
  answers, so they carry whatever fields those carry.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PAGE_PARAMETERS = {"page", "page_size"}


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer <token>`; get one from `POST /api/v1/auth/token/`.",
        }


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


# --- Errors -------------------------------------------------------------------------------

ERROR_COMPONENTS = {
    "Error": {
        "type": "object",
        "description": "A refusal that is not about the input: its reason.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "type": "object",
        "description": (
            "Invalid input: for each field at fault, its messages; `non_field_errors` for "
            "rules across fields. A body that cannot be read at all (malformed JSON, not an "
            "object) answers `detail` instead."
        ),
        "properties": {
            "non_field_errors": {"type": "array", "items": {"type": "string"}},
            "detail": {"type": "string"},
        },
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: messages by field, and `non_field_errors` for rules across fields.",
    "401": "No credentials, or a token that is unknown, revoked or expired.",
    "403": "Not allowed for your role (or a session request without its CSRF token).",
    "404": "Not found here: the organization, the row, or a page past the last.",
    "429": "Too many requests from this client: try again after `Retry-After` seconds.",
}

OPTIONAL_CREDENTIALS_401 = "A token that is unknown, revoked or expired (credentials are optional)."


def _error_codes(view, method: str, operation: dict) -> list[str]:
    """The error statuses this operation can answer, from what the view does."""
    authenticated = bool(view.get_authenticators())
    parameters = operation.get("parameters", [])
    filters = [p for p in parameters if p["in"] == "query" and p["name"] not in PAGE_PARAMETERS]
    is_paginated = any(p["in"] == "query" and p["name"] == "page" for p in parameters)
    has_path_parameters = any(p["in"] == "path" for p in parameters)
    writes = method in {"POST", "PUT", "PATCH"} or "requestBody" in operation
    refusable_delete = method == "DELETE" and not getattr(view, "deletes_are_never_refused", False)
    codes = []
    if writes or filters or refusable_delete:
        codes.append("400")
    if authenticated:
        # A bad token is refused even where credentials are optional.
        codes.append("401")
    # Roles are checked on writes (and on sessions' CSRF); some resources refuse reads too.
    if authenticated and (method not in SAFE_METHODS or getattr(view, "refuses_readers", False)):
        codes.append("403")
    if has_path_parameters or is_paginated:
        codes.append("404")
    if view.get_throttles():
        codes.append("429")
    return codes


class CascadeAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema with the rules above."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for name, schema in ERROR_COMPONENTS.items():
            registry.register_on_missing(
                ResolvedComponent(name, ResolvedComponent.SCHEMA, schema=schema, object=name)
            )
        responses = operation["responses"]
        for code in _error_codes(self.view, self.method, operation):
            response = responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code]})
            response["description"] = response.get("description") or ERROR_DESCRIPTIONS[code]
            body = _ref("ValidationError" if code == "400" else "Error")
            response.setdefault("content", {"application/json": {"schema": body}})
            if code == "429":
                response["headers"] = {
                    "Retry-After": {
                        "schema": {"type": "integer"},
                        "description": "Seconds to wait before the next attempt.",
                    }
                }
        if {} in operation.get("security", []):
            # Anyone may call it (a token, if sent, is still read): generated clients
            # must not insist on one.
            operation["security"] = []
            if "401" in responses:
                responses["401"]["description"] = OPTIONAL_CREDENTIALS_401
        return operation

    def get_description(self) -> str:
        """Only what ``extend_schema(description=…)`` says: docstrings are for the code."""
        return ""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        # A component is described by the serializer's ``schema_description``, if any:
        # like the views' docstrings, the serializers' are for the code.
        schema.pop("description", None)
        if getattr(serializer, "schema_description", None):
            schema["description"] = serializer.schema_description
        if direction == "response" and schema.get("properties"):
            # Every field of an answer is always sent (null where it may be null).
            schema["required"] = list(schema["properties"])
        return schema


# --- The tree -----------------------------------------------------------------------------

TREE_NODE = {"oneOf": [_ref("TreeObjective"), _ref("PrivateObjective")]}

PRIVATE_OBJECTIVE = {
    "type": "object",
    "description": "A private objective the viewer may not see: only its progress.",
    "properties": {
        "private": {"type": "boolean", "enum": [True]},
        "progress": {"type": "number", "format": "double", "minimum": 0, "maximum": 100},
    },
    "required": ["private", "progress"],
    "additionalProperties": False,
}


def _extended(base: dict, description: str, name: str, schema: dict) -> dict:
    """``base`` (a response component) with one more required property."""
    return {
        "type": "object",
        "description": description,
        "properties": {**base["properties"], name: schema},
        "required": [*base.get("required", base["properties"]), name],
    }


def add_tree_components(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: the tree's node components, referenced by ``TreeSerializer``.

    Each branch of a node is a component of its own (generators cannot read an
    inline ``allOf`` inside a ``oneOf``), copied from the objective and key result
    answers so that it carries every field they carry.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["PrivateObjective"] = PRIVATE_OBJECTIVE
    schemas["TreeObjective"] = _extended(
        schemas["Objective"],
        "An objective of the tree: its fields and its key results.",
        "key_results",
        {"type": "array", "items": _ref("TreeKeyResult")},
    )
    schemas["TreeKeyResult"] = _extended(
        schemas["KeyResult"],
        "A key result of the tree: its fields and the objectives that support it.",
        "children",
        {"type": "array", "items": TREE_NODE},
    )
    return result
