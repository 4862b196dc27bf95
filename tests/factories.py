"""Small builders that go through the product's own services, so tests set data up as users do."""

import itertools
import time
from datetime import timedelta

from django.utils import timezone

from courses.models import Audience, Course, CourseFormat, Lesson, Topic
from courses.services.catalogue import course_create, course_search_text
from courses.services.structure import lesson_create, module_create
from learners.models import Enrolment, LessonProgress
from learners.services.enrolments import profile_save
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
    """Make the last heartbeat `seconds` older, as if that much wall time went by."""
    progress.refresh_from_db()
    last = progress.last_heartbeat_at or timezone.now()
    LessonProgress.objects.filter(id=progress.id).update(last_heartbeat_at=last - timedelta(seconds=seconds))


def snapshot(progress: LessonProgress) -> tuple:
    progress.refresh_from_db()
    return (
        progress.watched_intervals,
        progress.watched_seconds,
        progress.position_seconds,
        progress.pages_viewed,
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
