"""The heartbeat's way past the middleware it does not use (docs/decisions/0024)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from learners.views.learning import lesson_heartbeat
from onetouch.middleware import ChosenLanguageMiddleware


class HeartbeatShortcutMiddleware:
    """Hand progress heartbeats straight to their view, past the middleware they do not use.

    A heartbeat reads its session cookie itself and proves who sends it with its signed token: it
    loads no session and no user, sets no cookie, renders no page and is exempt from CSRF checks
    (learners.views.learning.lesson_heartbeat says why). The session, common, upload-limit, CSRF,
    authentication, messages, clickjacking, CSP, compression and allauth middleware cost each
    heartbeat time for nothing. Placed right after SecurityMiddleware, whose headers and HTTPS
    redirect still apply, this one keeps what the heartbeat needs of the others: the Host header is
    validated (as CommonMiddleware does; a bad one is answered 400) and the chosen language is
    activated for the refusal messages (ChosenLanguageMiddleware itself). Every other URL goes on
    through the whole stack.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.language = ChosenLanguageMiddleware(get_response)
        self.heartbeat_path: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.heartbeat_path is None:
            self.heartbeat_path = reverse("learners:lesson_heartbeat")
        if request.path != self.heartbeat_path:
            return self.get_response(request)
        request.get_host()  # raises DisallowedHost (400) for a host not in ALLOWED_HOSTS
        self.language.process_request(request)
        return self.language.process_response(request, lesson_heartbeat(request))
