"""The studio's question bank of a course, its spreadsheet import, and the settings of quiz lessons.

Like every studio page (courses.views.studio), each view is wrapped by `studio_view` and reaches its
course, question or lesson only through onetouch.scope: another province's object is 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.forms.questions import QuestionFilterForm, QuestionForm, QuizSettingsForm
from courses.forms.studio import QuestionImportForm, form_error_add
from courses.models import Lesson
from courses.pure.question_rules import KIND_LABELS
from courses.pure.question_sheet import COLUMNS, CSV_CONTENT_TYPE, MAX_FILE_BYTES, XLSX_CONTENT_TYPE
from courses.pure.question_template import template_csv, template_xlsx
from courses.selectors.questions import (
    question_active_count,
    question_get_for_studio,
    question_list_for_bank,
    question_tags_with_counts,
    quiz_for_lesson,
)
from courses.selectors.studio import course_get_for_studio, lesson_get_for_studio
from courses.services import questions
from courses.views.studio import redirect_back, studio_view
from onetouch.upload_limits import upload_limit

QUESTION_PAGE_SIZE = 50
TEMPLATES = {
    "xlsx": (template_xlsx, XLSX_CONTENT_TYPE),
    "csv": (template_csv, CSV_CONTENT_TYPE),
}
TEMPLATE_FILE_STEM = "mau-ngan-hang-cau-hoi"


# --- The bank -------------------------------------------------------------------------------------


@studio_view
def studio_question_list(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_studio(user=request.user, course_id=course_id)
    filter_form = QuestionFilterForm(request.GET or None, course=course)
    filtered = question_list_for_bank(course=course, **filter_form.filters())
    page = Paginator(filtered, QUESTION_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "course": course,
        "page": page,
        "filter_form": filter_form,
        "query_string": query.urlencode(),
        "active_count": question_active_count(course=course),
    }
    return render(request, "courses/studio/question_list.html", context)


@studio_view
def studio_question_create(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_studio(user=request.user, course_id=course_id)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            questions.question_create(course=course, **form.service_fields())
        except ValidationError as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("The question is added to the bank."))
            if "add_another" in request.POST:
                return redirect("courses:studio_question_create", course.id)
            return redirect("courses:studio_question_list", course.id)
    context = {"form": form, "course": course, "question": None}
    return render(request, "courses/studio/question_form.html", context, status=400 if form.errors else 200)


@studio_view
def studio_question_edit(request: HttpRequest, question_id: int) -> HttpResponse:
    question = question_get_for_studio(user=request.user, question_id=question_id)
    form = QuestionForm(request.POST or None, initial=QuestionForm.initial_for(question))
    if request.method == "POST" and form.is_valid():
        try:
            questions.question_update(question=question, **form.service_fields())
        except ValidationError as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("The question is saved."))
            return redirect("courses:studio_question_list", question.course_id)
    context = {"form": form, "course": question.course, "question": question}
    return render(request, "courses/studio/question_form.html", context, status=400 if form.errors else 200)


@studio_view
@require_POST
def studio_question_deactivate(request: HttpRequest, question_id: int) -> HttpResponse:
    question = question_get_for_studio(user=request.user, question_id=question_id)
    try:
        questions.question_deactivate(question=question)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The question is deactivated: quizzes no longer draw it."))
    return redirect_back(request, reverse("courses:studio_question_list", args=[question.course_id]))


@studio_view
@require_POST
def studio_question_activate(request: HttpRequest, question_id: int) -> HttpResponse:
    question = question_get_for_studio(user=request.user, question_id=question_id)
    questions.question_activate(question=question)
    messages.success(request, _("The question is back in use: quizzes can draw it again."))
    return redirect_back(request, reverse("courses:studio_question_list", args=[question.course_id]))


@studio_view
def studio_question_delete(request: HttpRequest, question_id: int) -> HttpResponse:
    question = question_get_for_studio(user=request.user, question_id=question_id)
    if request.method == "POST":
        try:
            questions.question_delete(question=question)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The question is deleted."))
        return redirect("courses:studio_question_list", question.course_id)
    context = {"course": question.course, "question": question, "is_drawn": questions.question_is_drawn(question)}
    return render(request, "courses/studio/question_delete.html", context)


# --- Import ---------------------------------------------------------------------------------------


def question_file_max_bytes(request: HttpRequest, course_id: int) -> int:
    return MAX_FILE_BYTES


@upload_limit(question_file_max_bytes)
@studio_view
def studio_question_import(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_studio(user=request.user, course_id=course_id)
    form = QuestionImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = questions.questions_import(course=course, uploaded_file=form.cleaned_data["file"])
        if report.ok:
            messages.success(
                request,
                _("%(created)d new questions are added to the bank; %(skipped)d already in it are skipped.")
                % {"created": report.created, "skipped": report.skipped},
            )
            return redirect("courses:studio_question_list", course.id)
    context = {
        "form": form,
        "course": course,
        "report": report,
        "columns": COLUMNS,
        "kind_labels": KIND_LABELS.values(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "courses/studio/question_import.html", context, status=status)


@studio_view
def studio_question_template(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in TEMPLATES:
        raise Http404
    write, content_type = TEMPLATES[file_format]
    response = HttpResponse(write(), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{TEMPLATE_FILE_STEM}.{file_format}"
    )
    return response


# --- Quiz settings --------------------------------------------------------------------------------


@studio_view
def studio_quiz_settings(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = lesson_get_for_studio(user=request.user, lesson_id=lesson_id)
    if lesson.kind != Lesson.Kind.QUIZ:
        raise Http404
    quiz = quiz_for_lesson(lesson=lesson)
    form = QuizSettingsForm(request.POST or None, lesson=lesson, quiz=quiz)
    if request.method == "POST" and form.is_valid():
        try:
            questions.quiz_settings_save(lesson=lesson, **form.service_fields())
        except ValidationError as error:
            form_error_add(form, error)
        else:
            messages.success(request, _("The quiz settings are saved."))
            return redirect("courses:studio_lesson", lesson.id)
    context = {
        "form": form,
        "lesson": lesson,
        "course": lesson.course,
        "quiz": quiz,
        "tags": question_tags_with_counts(course=lesson.course),
        "active_count": question_active_count(course=lesson.course),
    }
    return render(request, "courses/studio/quiz_settings.html", context, status=400 if form.errors else 200)
