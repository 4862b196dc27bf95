"""Small builders that go through the product's own services, so tests set data up as users do."""

import itertools
import threading
import time
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import F
from django.utils import timezone

from courses.models import (
    Audience,
    Choice,
    Course,
    CourseFormat,
    Lesson,
    Module,
    Question,
    Quiz,
    Topic,
    lesson_source_path,
)
from courses.pure.question_rules import ChoiceRow
from courses.services.catalogue import course_create, course_publish, course_search_text
from courses.services.questions import question_create, quiz_settings_save
from courses.services.structure import lesson_create, lesson_publish, module_create
from inperson.models import InPersonDay
from learners.models import AttemptAnswer, Enrolment, LessonProgress, QuizAttempt
from learners.pure.quizzes import choice_value
from learners.services.enrolments import profile_save
from learners.services.quizzes import answer_save
from onetouch.models import Commune, Province, User

_numbers = itertools.count(1)


INTRODUCTION_TITLE = "Giới thiệu khóa học"
INTRODUCTION_HTML = "<p>Khóa học này giúp bạn làm quen với các kỹ năng số cần thiết.</p>"


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
    """A course as the studio leaves it: a draft, or published with its one optional introduction lesson.

    The studio publishes a course only with a published lesson (docs/decisions/0005), so a published
    course gets a short text lesson in a module of its own, not required for completion. A test that
    needs the course's lessons to be exactly its own makes a draft, adds them and calls course_publish.
    """
    number = next(_numbers)
    course = course_create(
        title=title or f"Khóa học số {number}",
        slug=f"khoa-hoc-{number}",
        summary=summary,
        topic=topic,
        format=format,
        audience_codes=audiences,
        owner_province=province,
        is_published=False,
    )
    if is_published:
        lesson_make(
            course=course,
            kind=Lesson.Kind.TEXT,
            title=INTRODUCTION_TITLE,
            module=module_create(course=course, title="Giới thiệu"),
            is_required=False,
            body_html=INTRODUCTION_HTML,
        )
        course_publish(course=course)
    return course


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
    """Insert many published courses at once (query-bound tests need thousands).

    Rows go in directly for speed, but as the studio would leave them: each course has one module
    with one published text lesson, so no published course is without a lesson learners can open.
    """
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
    modules = Module.objects.bulk_create(
        [Module(course=course, title="Giới thiệu", position=0) for course in created], batch_size=1000
    )
    Lesson.objects.bulk_create(
        [
            Lesson(
                course_id=module.course_id,
                module=module,
                title=INTRODUCTION_TITLE,
                kind=Lesson.Kind.TEXT,
                is_required=False,
                is_published=True,
                body_html=INTRODUCTION_HTML,
                processing=Lesson.Processing.NOT_NEEDED,
            )
            for module in modules
        ],
        batch_size=1000,
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


# The file an upload would have stored for a lesson of each kind: (name, content type, bytes).
PLACEHOLDER_FILES = {
    Lesson.Kind.VIDEO: ("bai-hoc.mp4", "video/mp4", b"\x00\x00\x00\x18ftypmp42 placeholder video"),
    Lesson.Kind.SLIDES: ("bai-giang.pdf", "application/pdf", b"%PDF-1.4 placeholder slides"),
    Lesson.Kind.DOCUMENT: ("tai-lieu.pdf", "application/pdf", b"%PDF-1.4 placeholder document"),
}


def lesson_make(
    *,
    course: Course,
    kind: str,
    title: str = "Bài học",
    module=None,
    is_required: bool = True,
    is_published: bool = True,
    body_html: str | None = None,
    **fields,
) -> Lesson:
    """Add a draft lesson through the structure service, set what upload and processing would have set,
    then publish it through `lesson_publish`, which refuses what the studio refuses.

    A text lesson gets a short text unless `body_html` is given; a video, slides or document lesson is
    READY with a small file really stored at its source path, unless the caller gives `processing`
    (WAITING: no file yet) or `source`.
    """
    module = module or module_create(course=course, title="Phần 1")
    if body_html is None:
        body_html = "<p>Nội dung bài học.</p>" if kind == Lesson.Kind.TEXT else ""
    lesson = lesson_create(module=module, title=title, kind=kind, is_required=is_required, body_html=body_html)
    if kind in PLACEHOLDER_FILES:
        fields = processed_fields(lesson, **fields)
    if fields:
        for name, value in fields.items():
            setattr(lesson, name, value)
        lesson.save()
    if is_published:
        lesson_publish(lesson=lesson)
    return lesson


def processed_fields(lesson: Lesson, **fields) -> dict:
    """The fields of a file lesson after its upload and processing, with the caller's on top."""
    fields.setdefault("processing", Lesson.Processing.READY)
    if "source" not in fields and fields["processing"] != Lesson.Processing.WAITING:
        name, content_type, data = PLACEHOLDER_FILES[lesson.kind]
        fields["source"] = default_storage.save(lesson_source_path(lesson, name), ContentFile(data))
        fields |= {"source_name": name, "source_content_type": content_type, "source_size": len(data)}
    if fields["processing"] == Lesson.Processing.READY:
        if lesson.kind == Lesson.Kind.SLIDES:
            fields.setdefault("page_count", 1)
        if lesson.kind == Lesson.Kind.VIDEO:
            fields.setdefault("duration_seconds", 60.0)
    return fields


def video_lesson_make(*, course: Course, duration: float = 600.0, **fields) -> Lesson:
    return lesson_make(
        course=course, kind=Lesson.Kind.VIDEO, title="Phim hướng dẫn", duration_seconds=duration, **fields
    )


def lesson_file_replaced(lesson: Lesson, *, processing: str, processing_error: str = "") -> Lesson:
    """The author uploaded a new file to the published lesson, and its processing is at `processing`.

    A published lesson stays published while its new file is processed, and after that processing
    failed (courses.services.materials): learners see a message instead of the lesson.
    """
    Lesson.objects.filter(id=lesson.id).update(processing=processing, processing_error=processing_error)
    lesson.refresh_from_db()
    return lesson


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
    """A question added to the bank through the service; its choices' texts never say which is correct."""
    if kind == Question.Kind.TRUE_FALSE:
        texts, correct = ["Đúng", "Sai"], {0}
    elif kind == Question.Kind.MULTIPLE:
        texts, correct = [f"Phương án {letter} của câu {number}" for letter in "ABCD"], {0, 2}
    else:
        texts, correct = [f"Phương án {letter} của câu {number}" for letter in "ABCD"], {1}
    return question_create(
        course=course,
        kind=kind,
        text=f"Câu hỏi số {number}: chọn phương án phù hợp",
        explanation=f"Giải thích riêng của câu {number}",
        choices=[ChoiceRow(text, position in correct) for position, text in enumerate(texts)],
    )


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
    """A quiz lesson with a bank of `questions` more single-choice questions (10 drawn, 70 %, 2 tries, 15 min).

    As in the studio: the draft lesson, its settings, its questions, then `lesson_publish`, which
    refuses a quiz whose bank cannot fill a draw.
    """
    lesson = lesson_make(
        course=course, kind=Lesson.Kind.QUIZ, title=title, module=module, is_required=is_required, is_published=False
    )
    rules = {"questions_drawn": 10, "pass_mark_percent": 70, "attempts_limit": 2, "time_limit_minutes": 15} | rules
    rules.setdefault("is_final_exam", True)
    quiz = quiz_settings_save(lesson=lesson, **rules)
    first = Question.objects.filter(course=course).count()
    for number in range(first + 1, first + questions + 1):
        question_make(course=course, number=number)
    if is_published:
        lesson_publish(lesson=lesson)
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


def day_make(
    run, commune, by, *, starts_in: timedelta = -timedelta(minutes=30), partners=(), cancelled: bool = False
) -> InPersonDay:
    """The run's in-person day in the commune's province, starting `starts_in` from now (by default it
    started 30 minutes ago: check-in is open)."""
    starts_at = timezone.now() + starts_in
    day = InPersonDay.objects.create(
        course_run=run,
        province=commune.province,
        venue_name="Hội trường",
        venue_address="1 Đinh Tiên Hoàng",
        venue_commune=commune,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        capacity=30,
        cancellation_deadline=starts_at - timedelta(days=1),
        cancelled_at=starts_at - timedelta(days=2) if cancelled else None,
        cancel_reason="Mưa bão" if cancelled else "",
        created_by=by,
        updated_by=by,
    )
    day.partners.set(partners)
    return day
