"""What the reverse proxy may keep: an anonymous visitor's public page, for a short time; never a signed-in one.

deploy/nginx.conf caches the home page, the catalogue and course pages, keyed by URL and language, for
as long as this header allows (s-maxage), and never stores a response that sets a cookie or one for a
request that carries the session or messages cookie (docs/decisions/0028). Browsers get max-age=0:
they ask again every time, so a language switch or a sign-in shows at once.
"""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


def proxy_cacheable_when_anonymous(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark a page as shared-cacheable for anonymous visitors, and private and unstored when signed in.

    An anonymous page that shows a message, sets a cookie or is not a 200 gets no header of ours:
    nginx keeps nothing without a shared lifetime.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        elif response.status_code == 200 and not response.cookies and not len(messages.get_messages(request)):
            seconds = settings.PROXY_PAGE_CACHE_SECONDS
            patch_cache_control(response, public=True, max_age=0, s_maxage=seconds)
        return response

    return wrapper
