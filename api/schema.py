"""drf-spectacular's description of our authentication: the API key as an HTTP bearer scheme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key made in the studio (/studio/api-keys/): Authorization: Bearer ot_…",
        }


class StrictBody(OpenApiSerializerExtension):
    """A body that refuses fields it does not know (api.views.base.StrictSerializer) says so in the schema,
    so a client (and schemathesis) knows that an extra field is an error, not ignored."""

    target_class = "api.views.base.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction) -> dict:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return schema | {"additionalProperties": False}


class SessionTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SessionTokenAuthentication"
    name = "sessionToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Session-Token",
            "description": "The mobile app's session token, from POST /_allauth/app/v1/auth/login (a learner's own).",
        }


# Every operation may answer these, as problems (api/problems.py): written once here for the schema.
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An RFC 9457 problem, in the language of Accept-Language (Vietnamese by default).",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "/api/problems/<kind>: stable, for scripts to test."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "Invalid input: one entry per query parameter or body field.",
            "items": {
                "type": "object",
                "required": ["detail"],
                "properties": {
                    "detail": {"type": "string"},
                    "parameter": {"type": "string"},
                    "pointer": {"type": "string", "description": "A JSON pointer into the body, e.g. #/email."},
                },
            },
        },
    },
}
ERROR_RESPONSES = {
    "400": "Invalid query parameters or body (problem with `errors`).",
    "401": "No key, or a key that is unknown, expired or revoked; a session token no longer valid.",
    "403": "Not allowed for this requester (e.g. a learner's own endpoint, /api/v1/me/…, called with a key).",
    "404": "Missing, or outside what the key may see: the same answer.",
    "429": "Over the key's rate limit; see Retry-After.",
}


# What a write (api/views/idempotent.py) may answer besides: 400 also covers a missing or malformed
# Idempotency-Key and a body that is not JSON.
WRITE_ERROR_RESPONSES = {
    "403": "A signed-in session's write without its CSRF token; a learner's own endpoint called with a key.",
    "415": "A body that is not JSON (Content-Type: application/json).",
    "422": "The Idempotency-Key was already used with another request (`idempotency-key-reused`); nothing written.",
}


def problems_document(result: dict, generator, request, public) -> dict:
    """drf-spectacular post-processing hook: the Problem schema and the error answers of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            errors = ERROR_RESPONSES | (WRITE_ERROR_RESPONSES if method == "post" else {})
            for status, description in errors.items():
                responses.setdefault(status, {"description": description, "content": problem})
            responses["429"]["headers"] = {
                "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds until the window resets."}
            }
    return result
