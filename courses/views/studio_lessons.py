"""Studio pages of lessons: adding, editing, files and captions, processing, publication, order, deletion."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.forms.studio import CaptionsForm, LessonCreateForm, LessonFileForm, LessonForm, ReorderForm, form_error_add
from courses.media.types import ACCEPT_FOR_KIND
from courses.models import Lesson
from courses.selectors.studio import lesson_get_for_studio, module_get_for_studio
from courses.services import materials, structure
from courses.views.studio import move_answer, redirect_back, reorder_answer, studio_view
from onetouch import scope
from onetouch.upload_limits import upload_limit


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
    limit of pages without files (onetouch.upload_limits), so the answer tells nothing about the lesson."""
    no_file = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if not scope.has_province_scope(request.user):
        return no_file
    try:
        lesson = lesson_get_for_studio(user=request.user, lesson_id=lesson_id)
    except Http404:
        return no_file
    accept = ACCEPT_FOR_KIND.get(lesson.kind)
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
    return move_answer(
        request,
        lambda offset: structure.lesson_move(lesson=lesson, offset=offset),
        course_id=lesson.course_id,
        anchor=f"lesson-{lesson.id}",
    )


@studio_view
@require_POST
def studio_lesson_reorder(request: HttpRequest, module_id: int) -> HttpResponse:
    module = module_get_for_studio(user=request.user, module_id=module_id)
    form = ReorderForm(request.POST)
    return reorder_answer(
        request, form, lambda ids: structure.lesson_reorder(module=module, lesson_ids=ids), course_id=module.course_id
    )
