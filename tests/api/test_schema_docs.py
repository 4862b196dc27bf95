"""The OpenAPI schema is valid and public, and Swagger UI renders from our origin under our CSP."""

import json

import pytest
import yaml
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate
from rest_framework.test import APIRequestFactory

from api.views.docs import SchemaView

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


class CountingGenerator(SchemaGenerator):
    """drf-spectacular's generator, counting the documents it builds."""

    builds = 0

    def get_schema(self, request=None, public=False):
        CountingGenerator.builds += 1
        return super().get_schema(request=request, public=public)


def test_the_schema_is_built_once_per_language_and_kept():
    """A second request in a language answers the kept document; another language builds its own."""
    view = SchemaView.as_view(generator_class=CountingGenerator)
    factory = APIRequestFactory()
    CountingGenerator.builds = 0

    def schema_in(language: str) -> dict:
        response = view(factory.get(f"/api/schema/?lang={language}", HTTP_ACCEPT="application/vnd.oai.openapi+json"))
        response.render()
        return json.loads(response.content)

    english = schema_in("en")
    assert schema_in("en") == english
    assert CountingGenerator.builds == 1
    vietnamese = schema_in("vi")
    assert CountingGenerator.builds == 2
    commune = "#/components/schemas/OfficialRequest"
    assert json_pointer(english, commune)["properties"]["commune"]["description"] == (
        "The official code of the commune of today."
    )
    assert json_pointer(vietnamese, commune)["properties"]["commune"]["description"] == (
        "Mã chính thức của xã/phường hiện nay."
    )
    assert schema_in("vi") == vietnamese
    assert CountingGenerator.builds == 2


def json_pointer(document: dict, pointer: str) -> dict:
    for part in pointer.removeprefix("#/").split("/"):
        document = document[part]
    return document


def test_the_schema_follows_accept_language(api_client):
    """Through the site's middleware: each language's document, each request after the first from memory."""
    for _ in range(2):
        english = api_client.get(reverse("api:schema"), HTTP_ACCEPT_LANGUAGE="en", HTTP_ACCEPT="application/json")
        vietnamese = api_client.get(reverse("api:schema"), HTTP_ACCEPT_LANGUAGE="vi", HTTP_ACCEPT="application/json")
        assert "The official code of the commune of today." in english.content.decode()
        assert "Mã chính thức của xã/phường hiện nay." in vietnamese.content.decode()
