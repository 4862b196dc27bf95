"""The studio: pages where ministry staff and provincial admins author courses. This module is its door
and the answers its pages share; the pages are in studio_courses, studio_modules, studio_lessons and
studio_questions.

Every view is wrapped by `studio_view` (signed in, with a province scope, else sign-in or 403) and
reaches its course, module or lesson only through onetouch.scope, so another province's object is
404 whatever the URL.
"""

import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from courses.forms.studio import MoveForm, ReorderForm
from onetouch import scope


def studio_view(view: Callable) -> Callable:
    """Let in signed-in staff with a province scope; a visitor signs in first, anyone else gets 403."""

    @functools.wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not scope.has_province_scope(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def redirect_back(request: HttpRequest, default: str) -> HttpResponse:
    """Redirect to the page the form came from (the `next` field, on our site only), else to default."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def wants_json(request: HttpRequest) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


# --- Order: a course's modules and a module's lessons -----------------------------------------------


def reorder_answer(request: HttpRequest, form: ReorderForm, reorder: Callable, *, course_id: int) -> HttpResponse:
    """Apply a complete new order; answer JSON to the page's script, or go back to the outline."""
    error_messages = []
    if form.is_valid():
        try:
            reorder(form.cleaned_data["order"])
        except ValidationError as error:
            error_messages = error.messages
    else:
        error_messages = [message for messages_ in form.errors.values() for message in messages_]
    if wants_json(request):
        if error_messages:
            return JsonResponse({"error": " ".join(error_messages)}, status=400)
        return JsonResponse({"order": form.cleaned_data["order"]})
    if error_messages:
        messages.error(request, " ".join(error_messages))
    else:
        messages.success(request, _("The new order is saved."))
    return redirect("courses:studio_course", course_id)


def move_answer(request: HttpRequest, move: Callable[[int], None], *, course_id: int, anchor: str) -> HttpResponse:
    """Apply one step up or down (the buttons that work without JavaScript); go back to the outline there."""
    form = MoveForm(request.POST)
    if form.is_valid():
        move(form.offset)
    return redirect(reverse("courses:studio_course", args=[course_id]) + f"#{anchor}")
