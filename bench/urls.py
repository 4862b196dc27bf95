"""The platform's URLs plus /bench/bare/, a view that does nothing, as the benchmark's yardstick.

The bare view goes through the same middleware stack as every page; it is appended after the
platform's patterns so that resolving it costs at least as much as resolving /courses/.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from onetouch.urls import urlpatterns as platform_urlpatterns


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


def bare_signed_in(request: HttpRequest) -> HttpResponse:
    """The bare view that asks who is signed in: the session's and the account's rows, the floor of any
    signed-in page (the bare view above never reads them)."""
    return HttpResponse(b"ok" if request.user.is_authenticated else b"anonymous", content_type="text/plain")


urlpatterns = [
    *platform_urlpatterns,
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/bare-signed-in/", bare_signed_in, name="bench_bare_signed_in"),
]
