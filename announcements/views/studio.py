"""Studio pages of announcements: those written within the user's scope, and writing one.

Only staff with a province scope come in, through the studio's own door (`studio_view`: else
sign-in, or 403); the target is found through announcements.selectors.targets, which asks
onetouch.scope: a course, run or province outside the writer's scope is 404, and nothing is written.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from announcements.forms import AnnouncementForm
from announcements.selectors.announcements import announcements_for_studio
from announcements.selectors.targets import target_choices, target_get_or_404
from announcements.services.announcements import announcement_create
from courses.views.studio import studio_view

PAGE_SIZE = 20


@studio_view
def studio_announcements(request: HttpRequest) -> HttpResponse:
    page = Paginator(announcements_for_studio(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "announcements/studio/announcement_list.html", {"page": page})


@studio_view
def studio_announcement_create(request: HttpRequest) -> HttpResponse:
    form = AnnouncementForm(request.POST or None, target_choices=target_choices(user=request.user))
    if request.method == "POST" and form.is_valid():
        kind, pk = form.cleaned_data["target"]
        target = target_get_or_404(user=request.user, kind=kind, pk=pk)
        try:
            announcement_create(
                by=request.user, target=target, title=form.cleaned_data["title"], body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The announcement is being sent to its learners."))
            return redirect("announcements:studio_list")
    return render(request, "announcements/studio/announcement_form.html", {"form": form})
