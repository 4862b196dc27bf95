"""The OpenAPI schema and Swagger UI, open to everyone, under the site's Content-Security-Policy.

drf-spectacular's Swagger page writes its start-up script and a style inline; ours
(templates/api/swagger_ui.html) gives the script the request's CSP nonce and moves the style into a
static file, so the page needs no 'unsafe-inline'. Swagger UI's files come from our own static
files (drf-spectacular-sidecar).
"""

from typing import ClassVar

from django.conf import settings
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    """The schema, built once per process for each language (and version) and kept.

    drf-spectacular builds the document on every request: it walks every route and serializer
    (some 20 ms of CPU each time once warm, over half a second the first time). The document depends
    only on the code (routes, serializers, settings), which changes only with a deploy, and that
    starts new processes; and on the language its descriptions and problem titles are translated
    into (Accept-Language, or `?lang=`). So the process's memory is the simplest store that cannot
    serve a stale document: Django's cache would outlive a deploy and need the code's version in its
    key. Two first requests at once may both build it; the second simply replaces the first's equal
    document.
    """

    authentication_classes = []
    permission_classes = []
    throttle_classes = []

    # (generator class, urlconf, language, version) → the document, as the generator returned it.
    documents: ClassVar[dict[tuple, dict]] = {}

    def _get_schema_response(self, request: Request) -> Response:
        # drf-spectacular's own method with the document kept: it runs after `get` chose the language
        # (`?lang=`) and the urlconf, so the key holds what the document depends on.
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (self.generator_class, self.urlconf or settings.ROOT_URLCONF, translation.get_language(), version)
        document = self.documents.get(key)
        if document is None:
            generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
            document = self.documents[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=document,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )


class DocsView(SpectacularSwaggerView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    template_name = "api/swagger_ui.html"
