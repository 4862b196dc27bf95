"""The studio's preview: a course page and each lesson exactly as a learner sees them, before and after publishing.

Each preview is two addresses: a studio page holding a phone-width frame (with a switch to desk
width), and the frame's bare page, which renders the learner's own templates (the catalogue's course
page, learners/lesson_page.html or the quiz lesson page) from the learner's own selectors, as a
preview. A preview records nothing: no enrolment, no progress, no learning event, no heartbeat token
(the player reports nothing); a quiz lesson shows its rules and every question it may draw, with
its choices disabled and no form to submit, and starts no attempt.

Who may open one: whoever may change the course in the studio (onetouch.scope, through the studio's
selectors); anyone else signed in gets 404, as for a missing course, and a visitor signs in first.
The bare pages alone may be framed, and only by our own origin.

These views live in learners, not in the studio's courses.views: the lesson page is the learners
app's, and courses never imports learners (pyproject.toml's layers).
"""

from csp.constants import SELF
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from courses.models import Lesson
from courses.selectors.catalogue import course_page_context_get
from courses.selectors.studio import course_get_for_studio, lesson_get_for_studio
from learners.selectors.progress import lesson_page_context_get, lesson_page_get
from learners.selectors.quizzes import quiz_questions_for_preview
from learners.views.learning import lesson_page_render, slide_number
from learners.views.quiz import quiz_lesson_page

# The frame's sizes: a common phone's screen in CSS pixels, and a laptop's width.
PHONE_WIDTH, PHONE_HEIGHT = 360, 740
DESK_WIDTH = 1366


@login_required
@require_safe
def course_preview(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_studio(user=request.user, course_id=course_id)
    return preview_page(
        request,
        course=course,
        lesson=None,
        is_published=course.is_published,
        frame_url=reverse("studio_preview:course_frame", args=[course.id]),
    )


@login_required
@require_safe
def lesson_preview(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = lesson_get_for_studio(user=request.user, lesson_id=lesson_id)
    return preview_page(
        request,
        course=lesson.course,
        lesson=lesson,
        is_published=lesson.is_published and lesson.course.is_published,
        frame_url=reverse("studio_preview:lesson_frame", args=[lesson.id]),
    )


def preview_page(request: HttpRequest, *, course, lesson: Lesson | None, is_published: bool, frame_url: str):
    is_desk = request.GET.get("width") == "desk"
    context = {
        "course": course,
        "lesson": lesson,
        "is_published": is_published,
        "frame_url": frame_url,
        "is_desk": is_desk,
        "frame_width": DESK_WIDTH if is_desk else PHONE_WIDTH,
        "frame_height": PHONE_HEIGHT,
    }
    return render(request, "courses/studio/learner_preview.html", context)


@login_required
@require_safe
@xframe_options_sameorigin
def course_preview_frame(request: HttpRequest, course_id: int) -> HttpResponse:
    course = course_get_for_studio(user=request.user, course_id=course_id, page=True)
    context = course_page_context_get(course=course, user=request.user, as_preview=True)
    return frame_allow(render(request, "courses/course_detail.html", {**context, "is_preview_frame": True}))


@login_required
@require_safe
@xframe_options_sameorigin
def lesson_preview_frame(request: HttpRequest, lesson_id: int) -> HttpResponse:
    page = lesson_page_get(user=request.user, lesson_id=lesson_id, as_preview=True)
    if page is None:
        raise Http404
    if page.lesson.kind == Lesson.Kind.QUIZ:
        quiz = page.access.quiz
        questions = quiz_questions_for_preview(quiz=quiz) if quiz else []
        extra = {"is_preview_frame": True, "preview_questions": questions}
        return frame_allow(quiz_lesson_page(request, page, extra_context=extra))
    slide = slide_number(request.GET.get("page", "1"), page.lesson)
    context = lesson_page_context_get(page, slide=slide)
    return frame_allow(lesson_page_render(request, {**context, "is_preview_frame": True}))


def frame_allow(response: HttpResponse) -> HttpResponse:
    """Let our own pages frame this response (the site's policy is frame-ancestors 'none')."""
    response._csp_replace = {"frame-ancestors": [SELF]}
    return response
