"""Studio pages of courses: the list, a draft's creation, its description, outline, preview and publication."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.forms.studio import CourseForm, ModuleForm, form_error_add
from courses.models import Course
from courses.selectors.studio import course_get_for_studio, course_list_for_studio
from courses.services import catalogue
from courses.views.studio import studio_view

STUDIO_PAGE_SIZE = 50


@studio_view
def studio_home(request: HttpRequest) -> HttpResponse:
    page = Paginator(course_list_for_studio(user=request.user), STUDIO_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "courses/studio/home.html", {"page": page})


@studio_view
def studio_course_create(request: HttpRequest) -> HttpResponse:
    form = CourseForm(request.POST or None, author=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            course = catalogue.course_draft_create(author=request.user, **form.service_fields())
        except ValidationError as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("The course is created as a draft. Add its modules and lessons."))
            slug_replaced_say(request, wanted=form.cleaned_data["slug"], course=course)
            return redirect("courses:studio_course", course.id)
    return render(request, "courses/studio/course_form.html", {"form": form, "course": None})


@studio_view
def studio_course(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_studio(user=request.user, course_id=course_id, outline=True)
    return render(request, "courses/studio/course_outline.html", {"course": course, "module_form": ModuleForm()})


@studio_view
def studio_course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_studio(user=request.user, course_id=course_id)
    form = CourseForm(request.POST or None, author=request.user, initial=CourseForm.initial_for(course))
    if request.method == "POST" and form.is_valid():
        try:
            catalogue.course_update(author=request.user, course=course, **form.service_fields())
        except ValidationError as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("The course is saved."))
            slug_replaced_say(request, wanted=form.cleaned_data["slug"], course=course)
            return redirect("courses:studio_course", course.id)
    return render(request, "courses/studio/course_form.html", {"form": form, "course": course})


def slug_replaced_say(request: HttpRequest, *, wanted: str, course: Course) -> None:
    """Tell the author when the web address they typed was not free, without a word on whose it is."""
    if wanted and course.slug != wanted:
        message = _("The web address %(wanted)s is not available; this course's address is %(slug)s.")
        messages.info(request, message % {"wanted": wanted, "slug": course.slug})


@studio_view
def studio_course_preview(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_studio(user=request.user, course_id=course_id, outline=True)
    return render(request, "courses/studio/course_preview.html", {"course": course})


@studio_view
@require_POST
def studio_course_publish(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_studio(user=request.user, course_id=course_id)
    try:
        catalogue.course_publish(course=course)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The course is published: learners can find it in the catalogue."))
    return redirect("courses:studio_course", course.id)


@studio_view
@require_POST
def studio_course_unpublish(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_studio(user=request.user, course_id=course_id)
    catalogue.course_unpublish(course=course)
    messages.success(request, _("The course is unpublished: learners no longer see it."))
    return redirect("courses:studio_course", course.id)
