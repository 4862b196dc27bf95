"""drf-spectacular's description of our authentication: the API key as an HTTP bearer scheme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key made in the studio (/studio/api-keys/): Authorization: Bearer ot_…",
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
    "401": "No key, or a key that is unknown, expired or revoked.",
    "404": "Missing, or outside what the key may see: the same answer.",
    "429": "Over the key's rate limit; see Retry-After.",
}


def problems_document(result: dict, generator, request, public) -> dict:
    """drf-spectacular post-processing hook: the Problem schema and the error answers of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                responses.setdefault(status, {"description": description, "content": problem})
            responses["429"]["headers"] = {
                "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds until the window resets."}
            }
    return result
