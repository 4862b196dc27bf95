"""Studio pages of API keys: the list, a new key (its plain text shown once), revoking one.

The studio's door (courses.views.studio.studio_view) lets in staff with a province scope; which
keys they see and revoke is api.selectors.keys, through onetouch.scope: a provincial admin sees
their province's keys, ministry staff every key. Another province's key is 404 like a missing one.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from api.forms import ApiKeyForm
from api.selectors.keys import api_key_get_for_change, api_key_list_for
from api.services import keys as services
from courses.views.studio import studio_view

KEYS_PER_PAGE = 50


@studio_view
def api_key_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(api_key_list_for(user=request.user), KEYS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "api/studio/key_list.html", {"page": page})


@never_cache
@studio_view
def api_key_create(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            key, plain = services.api_key_create(by=request.user, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The one time the plain key is shown: rendered, never redirected to, never stored.
            return render(request, "api/studio/key_created.html", {"key": key, "plain": plain})
    status = 400 if request.method == "POST" else 200
    return render(request, "api/studio/key_form.html", {"form": form}, status=status)


@require_POST
@studio_view
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    key = api_key_get_for_change(user=request.user, key_id=key_id)
    services.api_key_revoke(by=request.user, key=key)
    messages.success(request, _("The key “%(name)s” is revoked: it no longer works.") % {"name": key.name})
    return redirect("api_keys:list")
