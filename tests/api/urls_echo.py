"""The API's URLconf with one endpoint that reads a JSON body, built from the API's own base classes.

The API has no write endpoint yet; this one lets the tests show how every body is read: malformed
JSON, a wrong type, an unknown field, each answered as a problem.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.urls import include, path
from rest_framework import serializers
from rest_framework.response import Response

from api.views.base import ApiView, StrictSerializer


class EchoSerializer(StrictSerializer):
    email = serializers.EmailField()
    count = serializers.IntegerField(min_value=1)


class EchoView(ApiView):
    def post(self, request):
        body = EchoSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(body.validated_data)


urlpatterns = [
    path("api/v1/echo/", EchoView.as_view()),
    path("api/", include("api.urls.api")),
    path("", include("onetouch.urls")),
]


class BrokenView(ApiView):
    def get(self, request):
        raise RuntimeError("a bug")


urlpatterns.insert(0, path("api/v1/broken/", BrokenView.as_view()))


class RefusingView(ApiView):
    """Raises Django's own PermissionDenied, as a selector or service the API calls may."""

    def get(self, request):
        raise DjangoPermissionDenied


urlpatterns.insert(0, path("api/v1/refusing/", RefusingView.as_view()))
