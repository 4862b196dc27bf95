"""Small builders that go through the product's own services, so tests set data up as users do."""

import itertools
import threading
import time
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from courses.models import Audience, Choice, Course, CourseFormat, Lesson, Question, Quiz, Topic
from courses.services.catalogue import course_create, course_search_text
from courses.services.structure import lesson_create, module_create
from learners.models import AttemptAnswer, Enrolment, LessonProgress, QuizAttempt
from learners.quizzes import choice_value
from learners.services.enrolments import profile_save
from learners.services.quizzes import answer_save
from onetouch.models import Commune, Province, User

_numbers = itertools.count(1)


def course_make(
    *,
    title: str | None = None,
    audiences: tuple[str, ...] = ("public",),
    province: Province | None = None,
    is_published: bool = True,
    topic: str = Topic.DIGITAL_SKILLS,
    format: str = CourseFormat.ONLINE,
    summary: str = "Một khóa học ngắn.",
) -> Course:
    number = next(_numbers)
    return course_create(
        title=title or f"Khóa học số {number}",
        slug=f"khoa-hoc-{number}",
        summary=summary,
        topic=topic,
        format=format,
        audience_codes=audiences,
        owner_province=province,
        is_published=is_published,
    )


def learner_make(*, commune: Commune, audience_group: str = "public", email: str | None = None) -> User:
    user = User.objects.create_user(email or f"hoc.vien.{next(_numbers)}@example.vn", "mat-khau-dai-123")
    profile_save(
        user=user,
        full_name="Nguyễn Văn An",
        audience_group=audience_group,
        province=commune.province,
        commune=commune,
    )
    return user


def courses_bulk_make(count: int, *, audience_codes: tuple[str, ...]) -> list[Course]:
    """Insert many published courses at once (query-bound tests need thousands)."""
    courses = []
    for _ in range(count):
        number = next(_numbers)
        course = Course(
            title=f"Khóa học hàng loạt {number}",
            slug=f"hang-loat-{number}",
            summary="Tóm tắt",
            topic=Topic.DIGITAL_SKILLS,
            is_published=True,
            enrolment_count=number % 97,
        )
        course.search_text = course_search_text(course)
        courses.append(course)
    created = Course.objects.bulk_create(courses, batch_size=1000)
    audiences = list(Audience.objects.filter(code__in=audience_codes))
    Course.audiences.through.objects.bulk_create(
        [Course.audiences.through(course_id=c.id, audience_id=a.id) for c in created for a in audiences],
        batch_size=2000,
    )
    return created


def enrolments_bulk_make(courses: list[Course], *, learner_count: int) -> None:
    """Enrol as many new learners in each of (up to) the first 20 courses."""
    learners = User.objects.bulk_create(
        [User(email=f"bulk.{next(_numbers)}@example.vn", password="!") for _ in range(learner_count)]
    )
    Enrolment.objects.bulk_create(
        [Enrolment(learner=learner, course=course) for learner in learners for course in courses[:20]],
        batch_size=2000,
    )


# --- Lessons ----------------------------------------------------------------------------------


def lesson_make(
    *,
    course: Course,
    kind: str,
    title: str = "Bài học",
    module=None,
    is_required: bool = True,
    is_published: bool = True,
    body_html: str = "",
    **fields,
) -> Lesson:
    """Add a lesson through the structure service, then set what processing would have set."""
    module = module or module_create(course=course, title="Phần 1")
    lesson = lesson_create(module=module, title=title, kind=kind, is_required=is_required, body_html=body_html)
    if kind != Lesson.Kind.TEXT:
        fields.setdefault("processing", Lesson.Processing.READY)
    for name, value in {"is_published": is_published, **fields}.items():
        setattr(lesson, name, value)
    lesson.save()
    return lesson


def video_lesson_make(*, course: Course, duration: float = 600.0, **fields) -> Lesson:
    return lesson_make(
        course=course, kind=Lesson.Kind.VIDEO, title="Phim hướng dẫn", duration_seconds=duration, **fields
    )


def seconds_pass(progress: LessonProgress, seconds: float) -> None:
    """Make every clock of the progress row `seconds` older, as if that much wall time went by."""
    progress.refresh_from_db()
    back = timedelta(seconds=seconds)
    last = progress.last_heartbeat_at or timezone.now()
    LessonProgress.objects.filter(id=progress.id).update(
        last_heartbeat_at=last - back,
        opened_at=F("opened_at") - back,
        watch_allowance_at=F("watch_allowance_at") - back,
        page_shown_at=F("page_shown_at") - back,
    )


def snapshot(progress: LessonProgress) -> tuple:
    progress.refresh_from_db()
    return (
        progress.watched_intervals,
        progress.watched_seconds,
        progress.position_seconds,
        progress.pages_viewed,
        progress.page_shown,
        progress.page_shown_at,
        progress.downloaded_at,
        progress.last_heartbeat_at,
        progress.completed_at,
    )


def lesson_wait(lesson_id: int, *, timeout: float = 120) -> Lesson:
    """Wait for the worker to finish processing the lesson and return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lesson = Lesson.objects.get(id=lesson_id)
        if lesson.processing != Lesson.Processing.PROCESSING:
            return lesson
        time.sleep(0.2)
    raise AssertionError(f"Lesson {lesson_id} still processing after {timeout} s")


# --- Concurrency ----------------------------------------------------------------------------------


def run_at_once(action, *, count: int = 2) -> tuple[list, list]:
    """Run `action` in `count` threads released together by a barrier; return (results, errors).

    Each thread uses its own database connection, as concurrent requests would (the test needs the
    transactional database), and closes it at the end.
    """
    from django.db import connections

    barrier = threading.Barrier(count)
    results, errors = [], []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(action())
        except Exception as error:  # noqa: BLE001 - reported to the test: a thread cannot fail it
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results, errors


# --- Quizzes --------------------------------------------------------------------------------------


def question_make(*, course: Course, number: int, kind: str = Question.Kind.SINGLE) -> Question:
    """A question of the bank; its choices' texts never say which is correct."""
    question = Question.objects.create(
        course=course,
        kind=kind,
        text=f"Câu hỏi số {number}: chọn phương án phù hợp",
        explanation=f"Giải thích riêng của câu {number}",
        import_key=f"cau-{course.id}-{number}",
    )
    if kind == Question.Kind.TRUE_FALSE:
        texts, correct = ["Đúng", "Sai"], {0}
    elif kind == Question.Kind.MULTIPLE:
        texts, correct = [f"Phương án {letter} của câu {number}" for letter in "ABCD"], {0, 2}
    else:
        texts, correct = [f"Phương án {letter} của câu {number}" for letter in "ABCD"], {1}
    Choice.objects.bulk_create(
        [
            Choice(question=question, text=text, is_correct=position in correct, position=position)
            for position, text in enumerate(texts)
        ]
    )
    return question


def quiz_make(
    *,
    course: Course,
    questions: int = 12,
    title: str = "Bài kiểm tra cuối khóa",
    module=None,
    is_required: bool = True,
    is_published: bool = True,
    **rules,
) -> Quiz:
    """A published quiz lesson with a bank of `questions` single-choice questions (10 drawn, 70 %, 2 tries, 15 min)."""
    lesson = lesson_make(
        course=course,
        kind=Lesson.Kind.QUIZ,
        title=title,
        module=module,
        is_required=is_required,
        is_published=is_published,
        processing=Lesson.Processing.NOT_NEEDED,
    )
    rules = {"questions_drawn": 10, "pass_mark_percent": 70, "attempts_limit": 2, "time_limit_minutes": 15} | rules
    rules.setdefault("is_final_exam", True)
    quiz = Quiz.objects.create(lesson=lesson, **rules)
    first = Question.objects.filter(course=course).count()
    for number in range(first + 1, first + questions + 1):
        question_make(course=course, number=number)
    return quiz


def correct_ids(question_id: int) -> list[int]:
    return sorted(Choice.objects.filter(question_id=question_id, is_correct=True).values_list("id", flat=True))


def wrong_ids(question_id: int) -> list[int]:
    return [
        Choice.objects.filter(question_id=question_id, is_correct=False).order_by("id").values_list("id", flat=True)[0]
    ]


def values_of(attempt: QuizAttempt, choice_ids: list[int]) -> list[str]:
    """The values that stand for these choices in the attempt's page, as the learner's browser sends them."""
    return [choice_value(seed=attempt.seed, choice_id=choice_id) for choice_id in choice_ids]


def correct_values(attempt: QuizAttempt, question_id: int) -> list[str]:
    return values_of(attempt, correct_ids(question_id))


def wrong_values(attempt: QuizAttempt, question_id: int) -> list[str]:
    return values_of(attempt, wrong_ids(question_id))


def answer_all(attempt: QuizAttempt, *, right: int) -> None:
    """Save the first `right` drawn questions correctly and the others wrongly."""
    for index, question_id in enumerate(attempt.question_ids):
        answer_save(
            attempt=attempt,
            question_id=question_id,
            values=correct_values(attempt, question_id) if index < right else wrong_values(attempt, question_id),
        )


def answers_state(attempt: QuizAttempt) -> list:
    return list(
        AttemptAnswer.objects.filter(attempt=attempt)
        .order_by("id")
        .values_list("question_id", "choice_ids", "saved_at")
    )
