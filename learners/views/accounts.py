from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from courses.selectors.outline import course_outline_get
from learners.forms import ProfileForm
from learners.selectors.enrolments import (
    commune_list_for_province,
    course_get_published,
    enrolment_list_for_learner,
    enrolments_next_lesson_set,
    learner_profile_get,
    learner_profile_list_for_province,
)
from learners.services.enrolments import enrolment_cancel, enrolment_create, profile_save
from onetouch import scope

LEARNERS_PAGE_SIZE = 50


@require_POST
def enrolment_create_view(request: HttpRequest, slug: str) -> HttpResponse:
    course = course_get_published(slug=slug, with_runs=True)
    if not request.user.is_authenticated:
        return redirect_to_login(course.get_absolute_url())
    try:
        enrolment_create(learner=request.user, course=course)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(course)
    messages.success(request, _("You are enrolled in this course."))
    # The learner starts where the outline says they may: its next lesson, not a list to search.
    start = course_outline_get(course=course, learner=request.user).next_to_learn()
    if start is None:
        return redirect(course)
    return redirect("learners:lesson", course.slug, start.lesson.id)


@require_POST
@login_required
def enrolment_cancel_view(request: HttpRequest, slug: str) -> HttpResponse:
    course = course_get_published(slug=slug)
    enrolment_cancel(learner=request.user, course=course)
    messages.success(request, _("You have left this course."))
    return redirect("learners:my_learning")


@login_required
def my_learning(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(enrolment_list_for_learner(learner=request.user), settings.CATALOGUE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = enrolments_next_lesson_set(enrolments=list(page.object_list), learner=request.user)
    return render(request, "learners/my_learning.html", {"page": page})


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = learner_profile_get(user=request.user)
    initial = {"full_name": request.user.full_name}
    if profile:
        initial |= {
            "audience_group": profile.audience_group,
            "province": profile.province,
            "commune": profile.commune,
            "organisation": profile.organisation,
            "position": profile.position,
        }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        profile_save(
            user=request.user, full_name=form.cleaned_data["full_name"], profile=profile, **form.profile_fields()
        )
        messages.success(request, _("Your profile is saved."))
        return redirect("learners:profile")
    return render(request, "learners/profile_form.html", {"form": form})


@require_GET
@cache_control(public=True, max_age=86400)
def commune_list(request: HttpRequest) -> JsonResponse:
    communes = commune_list_for_province(province_code=request.GET.get("province", "")[:2])
    return JsonResponse({"communes": [{"code": c.code, "name": c.name} for c in communes]})


@login_required
def province_learner_list(request: HttpRequest, province_code: str) -> HttpResponse:
    province = scope.get_province_or_404(request.user, province_code)
    learners = learner_profile_list_for_province(user=request.user, province=province)
    page = Paginator(learners, LEARNERS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "learners/province_learner_list.html", {"province": province, "page": page})
