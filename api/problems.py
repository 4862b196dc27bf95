"""Every error of the API as an RFC 9457 problem (application/problem+json), in the requester's language.

A problem carries `type` (/api/problems/<kind>, a stable name for scripts to test, not a page),
`title` (the kind in words), `status`, `detail` (this occurrence) and, for invalid input, `errors`:
one entry per field, with a JSON `pointer` into the body or the query `parameter` it concerns.
Django's Http404 (a missing id, or one outside the requester's scope: the same answer) and
PermissionDenied come through DRF as NotFound and PermissionDenied. The language is the one
Django's LocaleMiddleware chose from Accept-Language for /api/ (onetouch.middleware), Vietnamese
by default.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

# Django's own logger of server errors: an API's 500 is logged (and mailed, alerted) as a page's is.
request_logger = logging.getLogger("django.request")

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "/api/problems/"

# The kinds of problem, by name: their title. Tests and the decision record list the same names.
TITLES = {
    "invalid-request": gettext_lazy("The request is not valid"),
    "malformed-json": gettext_lazy("The body is not valid JSON"),
    "unsupported-media-type": gettext_lazy("Unsupported media type"),
    "not-acceptable": gettext_lazy("Not acceptable"),
    "not-authenticated": gettext_lazy("Authentication required"),
    "key-malformed": gettext_lazy("Malformed Authorization header"),
    "key-invalid": gettext_lazy("Invalid API key"),
    "key-revoked": gettext_lazy("API key revoked"),
    "key-expired": gettext_lazy("API key expired"),
    "session-invalid": gettext_lazy("Session not valid"),
    "permission-denied": gettext_lazy("Not allowed"),
    # A learner's own endpoints (/api/v1/me/…) called with an API key (docs/decisions/0038).
    "learner-only": gettext_lazy("A learner's own endpoint"),
    "csrf-failed": gettext_lazy("CSRF check failed"),
    "not-found": gettext_lazy("Not found"),
    "method-not-allowed": gettext_lazy("Method not allowed"),
    "rate-limited": gettext_lazy("Too many requests"),
    "server-error": gettext_lazy("Server error"),
    # Writes and their idempotency keys (docs/decisions/0035, api/views/idempotent.py).
    "idempotency-key-missing": gettext_lazy("Idempotency-Key header required"),
    "idempotency-key-invalid": gettext_lazy("Malformed Idempotency-Key header"),
    "idempotency-key-reused": gettext_lazy("Idempotency key reused with another request"),
}


def problem_body(kind: str, status_code: int, detail: str, **extra) -> dict:
    return {"type": TYPE_PREFIX + kind, "title": str(TITLES[kind]), "status": status_code, "detail": detail, **extra}


def problem_response(kind: str, status_code: int, detail: str, *, headers: dict | None = None, **extra) -> Response:
    return Response(
        problem_body(kind, status_code, detail, **extra), status=status_code, headers=headers, content_type=CONTENT_TYPE
    )


def field_errors(detail, *, pointer: str = "#") -> list[dict]:
    """Flatten DRF's nested error detail into [{"pointer": "#/a/0/b", "detail": "…"}]."""
    if isinstance(detail, dict):
        return [error for name, value in detail.items() for error in field_errors(value, pointer=f"{pointer}/{name}")]
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [{"pointer": pointer, "detail": str(item)} for item in detail]
        return [
            error for index, item in enumerate(detail) for error in field_errors(item, pointer=f"{pointer}/{index}")
        ]
    return [{"pointer": pointer, "detail": str(detail)}]


class QueryInvalid(exceptions.ValidationError):
    """Invalid query parameters: `detail` maps each parameter to its messages."""


def problem_for(exc: exceptions.APIException, request) -> tuple[str, str, dict]:
    """Return the kind, the detail text and the extra members for a DRF exception."""
    if isinstance(exc, QueryInvalid):
        errors = [
            {"parameter": name, "detail": str(message)} for name, messages in exc.detail.items() for message in messages
        ]
        return "invalid-request", _("Some query parameters are not valid."), {"errors": errors}
    if isinstance(exc, exceptions.ValidationError):
        return "invalid-request", _("Some fields are not valid."), {"errors": field_errors(exc.detail)}
    if isinstance(exc, exceptions.ParseError):
        return "malformed-json", _("The request body could not be read as JSON."), {}
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return "unsupported-media-type", _("Send the body as JSON (Content-Type: application/json)."), {}
    if isinstance(exc, exceptions.NotAcceptable):
        return "not-acceptable", _("This API answers in JSON only."), {}
    if isinstance(exc, exceptions.NotAuthenticated):
        return "not-authenticated", _("Send an API key in the Authorization header, after “Bearer ”."), {}
    if isinstance(exc, exceptions.AuthenticationFailed):
        kind = exc.get_codes() if isinstance(exc.get_codes(), str) else ""
        if kind in TITLES:
            return kind, str(exc.detail), {}
        return "session-invalid", _("Your session is not valid: sign in again."), {}
    if isinstance(exc, exceptions.PermissionDenied):
        if exc.get_codes() == "learner-only":
            return "learner-only", str(exc.detail), {}
        if "CSRF" in str(exc.detail):
            return "csrf-failed", _("A write with a session needs the CSRF token in the X-CSRFToken header."), {}
        return "permission-denied", _("You may not do this."), {}
    if isinstance(exc, exceptions.NotFound):
        return "not-found", _("Nothing exists at this address."), {}
    if isinstance(exc, exceptions.MethodNotAllowed):
        return "method-not-allowed", _("This address does not accept %(method)s.") % {"method": request.method}, {}
    if isinstance(exc, exceptions.Throttled):
        seconds = int(exc.wait or 1)
        detail = _("Too many requests with this key: try again in %(seconds)s s.") % {"seconds": seconds}
        return "rate-limited", detail, {}
    return "server-error", str(exc.detail), {}


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: DRF's own answer (its headers: WWW-Authenticate, Retry-After), as a problem."""
    # Django's own 404 and 403, raised by the selectors and services the views call, as DRF's.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    request = context.get("request")
    if response is None:
        return server_error(exc, request)
    kind, detail, extra = problem_for(exc, request)
    response.data = problem_body(kind, response.status_code, detail, **extra)
    response.content_type = CONTENT_TYPE
    return response


def server_error(exc: Exception, request) -> Response | None:
    """An unexpected error: logged and signalled as Django does for a page, answered as a problem."""
    if settings.DEBUG:
        return None  # Django's debug page, with the traceback.
    django_request = getattr(request, "_request", request)
    got_request_exception.send(sender=None, request=django_request)
    request_logger.error("Internal Server Error: %s", django_request.path, exc_info=exc)
    detail = _("Something went wrong on our side. Try again later.")
    return problem_response("server-error", status.HTTP_500_INTERNAL_SERVER_ERROR, detail)


# CSRF-exempt as DRF's views are: it changes nothing, and a POST to an address that does not exist
# (a day id that is not a number) must answer this problem, not Django's HTML page of a CSRF failure.
@csrf_exempt
def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Any address under /api/ that no route matches: the same problem as a missing id."""
    body = problem_body("not-found", status.HTTP_404_NOT_FOUND, _("Nothing exists at this address."))
    return JsonResponse(body, status=status.HTTP_404_NOT_FOUND, content_type=CONTENT_TYPE)
