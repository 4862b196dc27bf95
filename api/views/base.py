"""What every API view shares: the RateLimit headers, no caching, and bodies that refuse unknown fields."""

from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.throttles import RateLimitState


def rate_limit_headers(request: Request, response: Response) -> None:
    """RateLimit-Limit, -Remaining and -Reset (draft-ietf-httpapi-ratelimit-headers) of this request's window."""
    state: RateLimitState | None = getattr(request, "rate_limit", None)
    if state is None:
        return
    response["RateLimit-Limit"] = str(state.limit)
    response["RateLimit-Remaining"] = str(state.remaining)
    response["RateLimit-Reset"] = str(state.reset_seconds)
    if response.status_code == 429:
        response["Retry-After"] = str(state.reset_seconds)


class ApiHeadersMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        rate_limit_headers(request, response)
        # What a key or an account reads is theirs: no proxy or browser cache keeps it.
        patch_cache_control(response, private=True, no_store=True)
        return response


class ApiView(ApiHeadersMixin, APIView):
    """Base of the API's plain views."""


class ApiGenericView(ApiHeadersMixin, GenericAPIView):
    """Base of the API's list and detail views."""


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know, instead of ignoring them.

    A script that misspells a field (`emial`) learns it at once rather than sending data that is
    silently dropped.
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)
