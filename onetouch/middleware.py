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
