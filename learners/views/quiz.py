"""Quiz pages: a quiz lesson's rules and attempts, the attempt being taken, its autosave and its result.

Before an attempt is submitted nothing that says which choice is correct, and no explanation, is
sent: the attempt page and every JSON answer are built from the texts-only rows of
learners.selectors.quizzes. Only the learner who owns an attempt reaches it; everyone else gets
404. Staff preview a quiz lesson's rules and start nothing.
"""

import json
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from courses.models import Lesson
from learners.models import QuizAttempt
from learners.pure.quizzes import answers_close_at, seconds_left
from learners.selectors.progress import LessonPage, lesson_access_get
from learners.selectors.quizzes import (
    attempt_get_for_learner,
    attempt_questions_for_taking,
    attempt_review,
    completion_get,
    quiz_summary_get,
)
from learners.services.progress import lesson_progress_open
from learners.services.quizzes import answer_save, attempt_finish_for_learner, attempt_start

# One autosave names one question and a few choice values: a few dozen bytes.
ANSWER_MAX_BYTES = 4 * 1024
ANSWER_FIELD = re.compile(r"^q-(\d{1,12})$")


@never_cache
def quiz_lesson_page(request: HttpRequest, page: LessonPage, extra_context: dict | None = None) -> HttpResponse:
    """The page of a quiz lesson (learners.views.learning.lesson_page routes here): rules, attempts, start."""
    lesson = page.lesson
    quiz = page.access.quiz
    as_learner = page.access.as_learner and not page.is_locked
    progress = None
    if as_learner and quiz is not None:
        progress = lesson_progress_open(learner=request.user, lesson=lesson, enrolment_id=page.access.enrolment_id)
    context = {
        "page": page,
        "lesson": lesson,
        "course": page.course,
        "quiz": quiz,
        "progress": progress,
        "summary": quiz_summary_get(quiz=quiz, learner=request.user if as_learner else None) if quiz else None,
        **(extra_context or {}),
    }
    return render(request, "learners/quiz_lesson.html", context, status=403 if page.is_locked else 200)


@login_required
@require_POST
def quiz_start(request: HttpRequest, course_slug: str, lesson_id: int) -> HttpResponse:
    access = lesson_access_get(user=request.user, lesson_id=lesson_id, course_slug=course_slug)
    if access is None or not access.as_learner or access.lesson.kind != Lesson.Kind.QUIZ:
        raise Http404
    quiz = access.quiz
    if quiz is None:
        raise Http404
    try:
        attempt = attempt_start(learner=request.user, quiz=quiz)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("learners:lesson", course_slug, lesson_id)
    if attempt.submitted_at is not None:
        messages.warning(request, _("The time of your attempt ran out; it was graded on the answers saved in time."))
        return redirect("learners:quiz_result", attempt.id)
    return redirect("learners:quiz_attempt", attempt.id)


@login_required
@require_safe
@never_cache
def quiz_attempt(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """The attempt being taken. Viewing it grades nothing: an attempt whose time is over is graded
    when its form is posted (its script posts it at once) or a new attempt is asked for."""
    attempt = attempt_for_request(request, attempt_id)
    if attempt.submitted_at is not None:
        return redirect("learners:quiz_result", attempt.id)
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "lesson": attempt.quiz.lesson,
        "course": attempt.quiz.lesson.course,
        "questions": attempt_questions_for_taking(attempt=attempt),
    }
    return render(request, "learners/quiz_attempt.html", context)


@login_required
@require_POST
@never_cache
def quiz_answer(request: HttpRequest, attempt_id: int) -> JsonResponse:
    """Autosave one answer: {"question": id, "choices": [values]}; the answer is JSON either way."""
    attempt = attempt_get_for_learner(learner=request.user, attempt_id=attempt_id)
    if attempt is None:
        return JsonResponse({"error": _("This attempt was not found.")}, status=404)
    try:
        if int(request.META.get("CONTENT_LENGTH") or 0) > ANSWER_MAX_BYTES:
            raise ValueError
        report = json.loads(request.body)
        question_id = report.get("question") if isinstance(report, dict) else None
        if not isinstance(question_id, int) or isinstance(question_id, bool):
            raise ValueError
        answer_save(attempt=attempt, question_id=question_id, values=report.get("choices"))
    except ValueError:  # not JSON, not UTF-8, no question id, or a length that is not a number
        return attempt_refusal(attempt, _("The answer is malformed."), status=400)
    except ValidationError as error:
        return attempt_refusal(attempt, " ".join(error.messages), status=400)
    # Saved: the attempt was open when its row was locked, as the view read it (nothing to read again).
    return JsonResponse({"saved": True, **attempt_status(attempt, read_again=False)})


@login_required
@require_safe
@never_cache
def quiz_status(request: HttpRequest, attempt_id: int) -> JsonResponse:
    """The attempt's state by the server's clock, for the countdown: seconds left, and whether it is closed."""
    attempt = attempt_get_for_learner(learner=request.user, attempt_id=attempt_id)
    if attempt is None:
        return JsonResponse({"error": _("This attempt was not found.")}, status=404)
    return JsonResponse(attempt_status(attempt, read_again=False))


@login_required
@require_POST
def quiz_submit(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Save the answers the form carries (it works without script), then submit the attempt once."""
    answers = {
        int(match.group(1)): request.POST.getlist(key) for key in request.POST if (match := ANSWER_FIELD.match(key))
    }
    try:
        finished = attempt_finish_for_learner(learner=request.user, attempt_id=attempt_id, answers=answers)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("learners:quiz_attempt", attempt_id)
    if finished is None:
        raise Http404
    attempt, already_submitted = finished
    closes_at = answers_close_at(attempt.deadline_at)
    late = closes_at is not None and timezone.now() > closes_at
    if already_submitted:
        messages.info(request, _("This attempt had already been submitted."))
    elif late:
        messages.warning(request, _("The time limit had passed: only the answers saved in time were graded."))
    else:
        messages.success(request, _("Your answers were submitted."))
    return redirect("learners:quiz_result", attempt.id)


@login_required
@require_safe
@never_cache
def quiz_result(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = attempt_for_request(request, attempt_id)
    if attempt.submitted_at is None:
        return redirect("learners:quiz_attempt", attempt.id)
    quiz = attempt.quiz
    context = {
        "attempt": attempt,
        "quiz": quiz,
        "lesson": quiz.lesson,
        "course": quiz.lesson.course,
        "review": attempt_review(attempt=attempt),
        "summary": quiz_summary_get(quiz=quiz, learner=request.user),
        "completion": completion_get(enrolment_id=attempt.enrolment_id),
    }
    return render(request, "learners/quiz_result.html", context)


def attempt_for_request(request: HttpRequest, attempt_id: int) -> QuizAttempt:
    attempt = attempt_get_for_learner(learner=request.user, attempt_id=attempt_id)
    if attempt is None:
        raise Http404
    return attempt


def attempt_status(attempt: QuizAttempt, *, read_again: bool = True) -> dict:
    """Return what the page's script needs to know of the attempt now: nothing about correctness.

    `read_again=False` when the attempt was read in this request after anything could change it."""
    if read_again:
        attempt.refresh_from_db(fields=["submitted_at", "deadline_at"])
    now = timezone.now()
    closes_at = answers_close_at(attempt.deadline_at)
    closed = attempt.submitted_at is not None or (closes_at is not None and now > closes_at)
    return {
        "closed": closed,
        "seconds_left": seconds_left(attempt.deadline_at, now=now),
        "result_url": reverse("learners:quiz_result", args=[attempt.id]) if attempt.submitted_at else "",
    }


def attempt_refusal(attempt: QuizAttempt, message: str, *, status: int) -> JsonResponse:
    body = {"error": message, **attempt_status(attempt)}
    return JsonResponse(body, status=409 if body["closed"] else status)
