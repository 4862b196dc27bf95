from allauth.core.exceptions import RateLimited
from allauth.core.internal import ratelimit
from django.middleware.locale import LocaleMiddleware


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Vietnamese for everyone unless they chose English with the header's switch.

    Many phones in Vietnam run with an English interface; the browser's Accept-Language says
    nothing about the language a commune official or a citizen wants to learn in, so only the
    language cookie (set by the switch) is read.

    The REST API (/api/) and the mobile app's sign-in (/_allauth/, allauth's headless API) are the
    exception: a script or the app says its language in Accept-Language, and errors answer in it
    (docs/decisions/0034, 0038).
    """

    def process_request(self, request) -> None:
        if not request.path_info.startswith(("/api/", "/_allauth/")):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)


class RateLimitedAnswersMiddleware:
    """A rate limit django-allauth hits inside a flow answers 429, not 500.

    allauth answers its own views' limits itself, but one it raises deeper in a flow is left to
    the caller: signing in again within 30 s with a mobile number still to verify asks for a
    second code, which the `verify_phone` limit refuses by raising. The page then tells the
    person to wait (templates/429.html) and the app gets allauth's JSON 429, as for any other limit.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RateLimited):
            return ratelimit.respond_429(request)
        return None
