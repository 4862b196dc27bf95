"""The studio: pages where ministry staff and provincial admins author courses.

Every view is wrapped by `studio_view` (signed in, with a province scope, else sign-in or 403) and
reaches its course, module or lesson only through onetouch.scope, so another province's object is
404 whatever the URL.
"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.forms.studio import (
    CaptionsForm,
    CourseForm,
    LessonCreateForm,
    LessonFileForm,
    LessonForm,
    ModuleForm,
    MoveForm,
    ReorderForm,
    form_error_add,
)
from courses.models import Course, Lesson
from courses.selectors.studio import (
    course_get_for_studio,
    course_list_for_studio,
    lesson_get_for_studio,
    module_get_for_studio,
)
from courses.services import catalogue, materials, structure
from onetouch import scope
from onetouch.uploads import upload_limit

STUDIO_PAGE_SIZE = 50


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


# --- Courses ------------------------------------------------------------------------------------


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


# --- Modules ------------------------------------------------------------------------------------


@studio_view
def studio_module_create(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_studio(user=request.user, course_id=course_id)
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            structure.module_create(course=course, title=form.cleaned_data["title"])
        except ValidationError as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("The module is added."))
            return redirect("courses:studio_course", course.id)
    return render(request, "courses/studio/module_form.html", {"form": form, "course": course, "module": None})


@studio_view
def studio_module_edit(request: HttpRequest, module_id: int) -> HttpResponse:
    module = module_get_for_studio(user=request.user, module_id=module_id)
    form = ModuleForm(request.POST or None, initial={"title": module.title})
    if request.method == "POST" and form.is_valid():
        try:
            structure.module_update(module=module, title=form.cleaned_data["title"])
        except ValidationError as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("The module is saved."))
            return redirect("courses:studio_course", module.course_id)
    context = {"form": form, "course": module.course, "module": module}
    return render(request, "courses/studio/module_form.html", context)


@studio_view
def studio_module_delete(request: HttpRequest, module_id: int) -> HttpResponse:
    module = module_get_for_studio(user=request.user, module_id=module_id)
    if request.method == "POST":
        try:
            structure.module_delete(module=module)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The module is deleted."))
        return redirect("courses:studio_course", module.course_id)
    context = {
        "course": module.course,
        "thing": module,
        "cancel_url": reverse("courses:studio_course", args=[module.course_id]),
    }
    return render(request, "courses/studio/confirm_delete.html", context)


@studio_view
@require_POST
def studio_module_move(request: HttpRequest, module_id: int) -> HttpResponse:
    module = module_get_for_studio(user=request.user, module_id=module_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        structure.module_move(module=module, offset=form.offset)
    return redirect(reverse("courses:studio_course", args=[module.course_id]) + f"#module-{module.id}")


@studio_view
@require_POST
def studio_module_reorder(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_studio(user=request.user, course_id=course_id)
    form = ReorderForm(request.POST)
    return reorder_answer(
        request, form, lambda ids: structure.module_reorder(course=course, module_ids=ids), course_id=course.id
    )


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


# --- Lessons ------------------------------------------------------------------------------------


@studio_view
def studio_lesson_create(request: HttpRequest, module_id: int) -> HttpResponse:
    module = module_get_for_studio(user=request.user, module_id=module_id)
    form = LessonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            lesson = structure.lesson_create(
                module=module,
                title=data["title"],
                kind=data["kind"],
                is_required=data["is_required"],
                estimated_minutes=data["estimated_minutes"],
                body_html=data["body"] if data["kind"] == Lesson.Kind.TEXT else "",
            )
        except ValidationError as error:
            form_error_add(form, error)
        else:
            if lesson.kind == Lesson.Kind.TEXT:
                messages.success(request, _("The lesson is added as a draft."))
            elif lesson.kind == Lesson.Kind.QUIZ:
                messages.success(request, _("The lesson is added as a draft. Now set up its quiz."))
                return redirect("courses:studio_quiz_settings", lesson.id)
            else:
                messages.success(request, _("The lesson is added as a draft. Now upload its file."))
            return redirect("courses:studio_lesson", lesson.id)
    return render(
        request, "courses/studio/lesson_create.html", {"form": form, "module": module, "course": module.course}
    )


@studio_view
def studio_lesson(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = lesson_get_for_studio(user=request.user, lesson_id=lesson_id)
    form = LessonForm(request.POST or None, lesson=lesson)
    if request.method == "POST" and form.is_valid():
        try:
            structure.lesson_update(lesson=lesson, **form.service_fields())
        except ValidationError as error:
            form_error_add(form, error)
            lesson.refresh_from_db()
        else:
            messages.success(request, _("The lesson is saved."))
            return redirect("courses:studio_lesson", lesson.id)
    return lesson_page(request, lesson, form=form)


def lesson_page(
    request: HttpRequest,
    lesson: Lesson,
    *,
    form: LessonForm | None = None,
    file_form: LessonFileForm | None = None,
    captions_form: CaptionsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "lesson": lesson,
        "course": lesson.course,
        "form": form or LessonForm(lesson=lesson),
        "file_form": file_form or LessonFileForm(lesson=lesson),
        "captions_form": captions_form or CaptionsForm(),
        "publish_problem": structure.lesson_publish_problem(lesson),
    }
    return render(request, "courses/studio/lesson_detail.html", context, status=status)


def lesson_file_max_bytes(request: HttpRequest, lesson_id: int) -> int:
    """The limit of the lesson's kind for those who may change it; for anyone else, as for no lesson, the
    limit of pages without files (onetouch.uploads), so the answer tells nothing about the lesson."""
    no_file = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if not scope.has_province_scope(request.user):
        return no_file
    try:
        lesson = lesson_get_for_studio(user=request.user, lesson_id=lesson_id)
    except Http404:
        return no_file
    accept = materials.ACCEPT_FOR_KIND.get(lesson.kind)
    return settings.MATERIAL_MAX_BYTES[accept] if accept else no_file


def captions_max_bytes(request: HttpRequest, lesson_id: int) -> int:
    return settings.MATERIAL_MAX_BYTES["captions"]


@upload_limit(lesson_file_max_bytes)
@studio_view
@require_POST
def studio_lesson_upload(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = lesson_get_for_studio(user=request.user, lesson_id=lesson_id)
    if lesson.kind in (Lesson.Kind.TEXT, Lesson.Kind.QUIZ):
        messages.error(request, _("A text or quiz lesson has no file."))
        return lesson_page(request, lesson, status=400)
    form = LessonFileForm(request.POST, request.FILES, lesson=lesson)
    if form.is_valid():
        try:
            materials.lesson_source_upload(lesson=lesson, uploaded_file=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error.messages)
            lesson.refresh_from_db()
        else:
            messages.success(request, _("The file is uploaded."))
            return redirect("courses:studio_lesson", lesson.id)
    return lesson_page(request, lesson, file_form=form, status=400)


@upload_limit(captions_max_bytes)
@studio_view
@require_POST
def studio_lesson_captions(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = lesson_get_for_studio(user=request.user, lesson_id=lesson_id)
    if lesson.kind != Lesson.Kind.VIDEO:
        messages.error(request, _("Only a video lesson has captions."))
        return lesson_page(request, lesson, status=400)
    form = CaptionsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            materials.lesson_captions_upload(lesson=lesson, uploaded_file=form.cleaned_data["captions"])
        except ValidationError as error:
            form.add_error("captions", error.messages)
            lesson.refresh_from_db()
        else:
            messages.success(request, _("The captions are uploaded."))
            return redirect("courses:studio_lesson", lesson.id)
    return lesson_page(request, lesson, captions_form=form, status=400)


@studio_view
@require_POST
def studio_lesson_retry(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = lesson_get_for_studio(user=request.user, lesson_id=lesson_id)
    try:
        materials.lesson_processing_retry(lesson=lesson)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Processing starts again. Reload this page in a moment to see the result."))
    return redirect_back(request, reverse("courses:studio_lesson", args=[lesson.id]))


@studio_view
@require_POST
def studio_lesson_publish(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = lesson_get_for_studio(user=request.user, lesson_id=lesson_id)
    try:
        structure.lesson_publish(lesson=lesson)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The lesson is published."))
    return redirect_back(request, reverse("courses:studio_lesson", args=[lesson.id]))


@studio_view
@require_POST
def studio_lesson_unpublish(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = lesson_get_for_studio(user=request.user, lesson_id=lesson_id)
    try:
        structure.lesson_unpublish(lesson=lesson)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The lesson is unpublished."))
    return redirect_back(request, reverse("courses:studio_lesson", args=[lesson.id]))


@studio_view
def studio_lesson_delete(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = lesson_get_for_studio(user=request.user, lesson_id=lesson_id)
    if request.method == "POST":
        try:
            structure.lesson_delete(lesson=lesson)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("courses:studio_lesson", lesson.id)
        messages.success(request, _("The lesson is deleted."))
        return redirect("courses:studio_course", lesson.course_id)
    context = {
        "course": lesson.course,
        "thing": lesson,
        "cancel_url": reverse("courses:studio_lesson", args=[lesson.id]),
    }
    return render(request, "courses/studio/confirm_delete.html", context)


@studio_view
@require_POST
def studio_lesson_move(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = lesson_get_for_studio(user=request.user, lesson_id=lesson_id)
    form = MoveForm(request.POST)
    if form.is_valid():
        structure.lesson_move(lesson=lesson, offset=form.offset)
    return redirect(reverse("courses:studio_course", args=[lesson.course_id]) + f"#lesson-{lesson.id}")


@studio_view
@require_POST
def studio_lesson_reorder(request: HttpRequest, module_id: int) -> HttpResponse:
    module = module_get_for_studio(user=request.user, module_id=module_id)
    form = ReorderForm(request.POST)
    return reorder_answer(
        request, form, lambda ids: structure.lesson_reorder(module=module, lesson_ids=ids), course_id=module.course_id
    )
