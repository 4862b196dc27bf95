"""Demo data: the crowd of demo learners created, and their courses taken through the real services."""

import random
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from courses.models import Choice, Lesson, Quiz
from learners.demo.accounts import DEMO_PASSWORD
from learners.demo.crowd_plan import (
    DEMO_LEARNER_COUNT,
    DEMO_SEED,
    CrowdEnrolment,
    CrowdLearner,
    crowd_courses,
    crowd_plan,
    demo_learner_email,
)
from learners.demo.history import crowd_history_spread
from learners.models import LessonProgress, QuizAttempt
from learners.pure.quizzes import choice_value
from learners.services.enrolments import enrolment_create, profile_save
from learners.services.progress import (
    document_download_record,
    lesson_complete_manually,
    lesson_progress_open,
    lesson_reading_wait_seconds,
    progress_report_apply,
    progress_row_read,
)
from learners.services.quizzes import attempt_finish, attempt_start
from onetouch.models import User


def crowd_learners() -> QuerySet[User]:
    """Return the demo crowd's accounts (not the demo logins)."""
    return User.objects.filter(email__startswith="hocvien-", email__endswith="@demo.onetouch.vn")


@transaction.atomic
def demo_crowd_load(*, count: int = DEMO_LEARNER_COUNT, seed: int = DEMO_SEED) -> int:
    """Create the demo learners with 90 days of activity, once; return how many demo learners there are.

    All in one transaction: a load that fails leaves no half crowd, and no statistics fold ever
    sees the events before their times are moved back.
    """
    if User.objects.filter(email=demo_learner_email(1)).exists():
        return crowd_learners().count()
    courses = crowd_courses()
    if not courses:
        return 0
    now = timezone.now()
    # Seeded on purpose: the same demo crowd at every set-up.
    plan = crowd_plan(rng=random.Random(seed), count=count, courses=courses, now=now)  # noqa: S311
    users = crowd_accounts_create(plan)
    for user, learner in zip(users, plan, strict=True):
        for enrolment in learner.enrolments:
            crowd_enrolment_take(user=user, plan=enrolment)
    # The latest of the crowd's moments is half an hour ago: nothing of theirs lies in the future.
    crowd_history_spread(
        users=users,
        plan=plan,
        rng=random.Random(seed + 1),  # noqa: S311
        now=timezone.now() - timedelta(minutes=30),
    )
    return len(users)


def crowd_accounts_create(plan: list[CrowdLearner]) -> list[User]:
    """Create the demo learners' accounts and profiles; all share the demo password."""
    password = make_password(DEMO_PASSWORD)  # hashed once: hashing is slow on purpose, 300 times is minutes
    User.objects.bulk_create(
        [
            User(
                email=learner.email,
                full_name=learner.full_name,
                password=password,
                date_joined=learner.started_at - timedelta(minutes=5),
            )
            for learner in plan
        ]
    )
    by_email = {user.email: user for user in User.objects.filter(email__in=[learner.email for learner in plan])}
    users = [by_email[learner.email] for learner in plan]
    for user, learner in zip(users, plan, strict=True):
        profile_save(
            user=user,
            audience_group=learner.audience_group,
            province=learner.commune.province,
            commune=learner.commune,
            organisation=learner.organisation,
            position=learner.position,
        )
    return users


def crowd_enrolment_take(*, user: User, plan: CrowdEnrolment) -> None:
    """Enrol, then go through the planned lessons in order the way the pages do, through the services."""
    enrolment_create(learner=user, course=plan.course.course)
    for lesson in plan.course.lessons[: plan.lessons_taken]:
        if lesson.kind == Lesson.Kind.QUIZ:
            quiz = plan.course.quizzes[lesson.id]
            outcomes = plan.quiz_outcomes[: quiz.attempts_limit or None]
            for passes in outcomes:
                quiz_take(user=user, quiz=quiz, passes=passes)
            if not outcomes[-1]:
                return
        elif not lesson.is_required and plan.skips_optional:
            continue
        elif lesson.kind in (Lesson.Kind.TEXT, Lesson.Kind.DOCUMENT):
            reading_lesson_finish(user=user, lesson=lesson)
        else:
            media_lesson_finish(user=user, lesson=lesson)


def reading_lesson_finish(*, user: User, lesson: Lesson) -> None:
    """Open (and download) a text or document lesson, take its reading time, then mark it read."""
    if lesson.kind == Lesson.Kind.DOCUMENT:
        progress = document_download_record(learner=user, lesson=lesson)
    else:
        progress = lesson_progress_open(learner=user, lesson=lesson)
    progress_clocks_back(progress, lesson_reading_wait_seconds(lesson))
    lesson_complete_manually(learner=user, lesson=lesson)


def media_lesson_finish(*, user: User, lesson: Lesson) -> None:
    """Watch the whole video in one heartbeat, or show every slide page long enough, in the time it takes."""
    progress = lesson_progress_open(learner=user, lesson=lesson)
    if lesson.kind == Lesson.Kind.VIDEO:
        duration = lesson.duration_seconds or 0
        progress_clocks_back(progress, duration)
        progress_report_apply(
            row=progress_row_read(id=progress.id), now=timezone.now(), intervals=[[0, duration]], position=duration
        )
        return
    last = lesson.page_count or 0
    # Each page is reported on screen; the report after it counts it; the last is reported twice.
    for page in [*range(1, last + 1), last]:
        progress_clocks_back(progress, settings.SLIDE_PAGE_MIN_SECONDS)
        progress_report_apply(row=progress_row_read(id=progress.id), now=timezone.now(), page=page)


def progress_clocks_back(progress: LessonProgress, seconds: float) -> None:
    """Move a lesson's completion clocks back, as if `seconds` had passed (the crowd has no time to wait)."""
    back = timedelta(seconds=seconds)
    LessonProgress.objects.filter(id=progress.id).update(
        opened_at=F("opened_at") - back,
        watch_allowance_at=F("watch_allowance_at") - back,
        page_shown_at=F("page_shown_at") - back,
    )


def quiz_take(*, user: User, quiz: Quiz, passes: bool) -> QuizAttempt:
    """Start an attempt and submit it: every answer right when passing, a third of them when failing."""
    attempt = attempt_start(learner=user, quiz=quiz)
    correct, wrong = defaultdict(list), defaultdict(list)
    for question_id, choice_id, is_correct in Choice.objects.filter(question_id__in=attempt.question_ids).values_list(
        "question_id", "id", "is_correct"
    ):
        (correct if is_correct else wrong)[question_id].append(choice_id)
    right = len(attempt.question_ids) if passes else len(attempt.question_ids) // 3
    answers = {
        question_id: [
            choice_value(seed=attempt.seed, choice_id=choice_id)
            for choice_id in (correct[question_id] if index < right else wrong[question_id][:1])
        ]
        for index, question_id in enumerate(attempt.question_ids)
    }
    return attempt_finish(attempt=attempt, answers=answers)
