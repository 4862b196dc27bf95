"""The OpenAPI schema is valid and public, and Swagger UI renders from our origin under our CSP."""

import pytest
import yaml
from django.urls import reverse
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_schema_is_a_valid_openapi_3_document(api_client):
    response = api_client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/courses/", "/api/v1/courses/{slug}/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearer"]["description"],
    }


def test_every_operation_documents_its_problems(api_client):
    schema = api_client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert schema["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status", "detail"]
    for path in schema["paths"].values():
        for operation in path.values():
            for status in ("400", "401", "404", "429"):
                assert "application/problem+json" in operation["responses"][status]["content"]


def test_schema_in_yaml_is_the_same_document(api_client):
    as_yaml = yaml.safe_load(api_client.get(reverse("api:schema")).content)
    validate(as_yaml)


def test_schema_validates_with_drf_spectaculars_own_check():
    """`manage.py spectacular --validate --fail-on-warn`: no warning about any view."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_docs_page_loads_only_our_own_files(api_client):
    """Swagger UI's script and styles come from our static files; the inline script carries the nonce."""
    response = api_client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "<style" not in html
    policy = response["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in html
