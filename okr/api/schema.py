"""OpenAPI extensions: how the schema describes our Bearer tokens."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


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


# The tree is recursive and each node is one of two shapes: typed here, by hand.
TREE_COMPONENTS = {
    "PrivateObjective": {
        "type": "object",
        "description": "A private objective the viewer may not see: only its progress.",
        "properties": {
            "private": {"type": "boolean", "enum": [True]},
            "progress": {"type": "number", "format": "double", "minimum": 0, "maximum": 100},
        },
        "required": ["private", "progress"],
        "additionalProperties": False,
    },
    "TreeKeyResult": {
        "allOf": [
            _ref("KeyResult"),
            {
                "type": "object",
                "properties": {"children": {"type": "array", "items": _ref("TreeObjective")}},
                "required": ["children"],
            },
        ],
    },
    "TreeObjective": {
        "oneOf": [
            {
                "allOf": [
                    _ref("Objective"),
                    {
                        "type": "object",
                        "properties": {
                            "key_results": {"type": "array", "items": _ref("TreeKeyResult")}
                        },
                        "required": ["key_results"],
                    },
                ],
            },
            _ref("PrivateObjective"),
        ],
    },
}


def add_tree_components(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: the tree's node schemas, referenced by ``TreeSerializer``."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(TREE_COMPONENTS)
    return result
