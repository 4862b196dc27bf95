"""The OpenAPI schema and Swagger UI, open to everyone, under the site's Content-Security-Policy.

drf-spectacular's Swagger page writes its start-up script and a style inline; ours
(templates/api/swagger_ui.html) gives the script the request's CSP nonce and moves the style into a
static file, so the page needs no 'unsafe-inline'. Swagger UI's files come from our own static
files (drf-spectacular-sidecar).
"""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView


class SchemaView(SpectacularAPIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []


class DocsView(SpectacularSwaggerView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    template_name = "api/swagger_ui.html"
