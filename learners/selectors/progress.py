"""Reads of the learner's side of lessons: who may open a lesson, its outline and progress marks."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, Subquery

from courses.media.delivery import lesson_media_urls
from courses.models import Course, Lesson, Quiz
from courses.selectors.outline import CourseOutline, OutlineLesson, course_outline_get
from learners.models import Enrolment, LessonProgress
from learners.pure.progress import resume_position
from onetouch import scope
from onetouch.models import User


@dataclass(frozen=True)
class LessonAccess:
    """How a user reaches a lesson: as an enrolled learner (progress is recorded), as staff in scope
    (a preview, drafts included, nothing recorded), or both."""

    lesson: Lesson
    as_learner: bool
    as_staff: bool
    # The learner's active enrolment in the lesson's course (None for staff who are not enrolled),
    # read with the lesson so that opening the lesson need not read it again.
    enrolment_id: int | None = None

    @property
    def quiz(self) -> Quiz | None:
        """The settings of a quiz lesson, read with the lesson (None before they are first saved)."""
        return getattr(self.lesson, "quiz", None)


@dataclass
class LessonPlace:
    """A lesson's place in its course outline as one reader sees it: the marks, the locks, and the
    lessons before and after it (the page's previous and next links). The lesson page renders it and
    the answers of a completion send it (learners.views.learning.outline_state): one source for both."""

    course: Course
    outline: CourseOutline
    current: OutlineLesson
    previous: OutlineLesson | None
    next: OutlineLesson | None


@dataclass
class LessonPage:
    lesson: Lesson
    access: LessonAccess
    place: LessonPlace

    @property
    def course(self) -> Course:
        return self.lesson.course

    @property
    def outline(self) -> CourseOutline:
        return self.place.outline

    @property
    def current(self) -> OutlineLesson:
        return self.place.current

    @property
    def previous(self) -> OutlineLesson | None:
        return self.place.previous

    @property
    def next(self) -> OutlineLesson | None:
        return self.place.next

    @property
    def is_preview(self) -> bool:
        return not self.access.as_learner

    @property
    def is_locked(self) -> bool:
        return self.access.as_learner and self.current.is_locked


def lesson_access_get(
    *, user: User, lesson_id: int, course_slug: str | None = None, as_preview: bool = False
) -> LessonAccess | None:
    """Return how the user may reach the lesson: enrolled learner or staff in scope; None otherwise.

    As a preview (the studio's), only staff in scope reach it, and never as a learner: staff who are
    enrolled themselves record nothing from the studio."""
    if not user.is_authenticated:
        return None
    # One query: the lesson with its course, module and quiz settings, and the user's enrolment.
    enrolment = Enrolment.objects.filter(learner=user, course_id=OuterRef("course_id"), is_active=True)
    lessons = Lesson.objects.select_related("course", "module", "quiz__draw_tag").annotate(
        active_enrolment_id=Subquery(enrolment.values("id")[:1])
    )
    if course_slug is not None:
        lessons = lessons.filter(course__slug=course_slug)
    lesson = lessons.filter(id=lesson_id).first()
    if lesson is None:
        return None
    quiz = getattr(lesson, "quiz", None)
    if quiz is not None:
        quiz.lesson = lesson  # the quiz's own reads (its candidate questions) need its lesson's course
    as_staff = scope.can_change(user, lesson.course.owner_province_id)
    as_learner = (
        not as_preview and lesson.is_published and lesson.course.is_published and lesson.active_enrolment_id is not None
    )
    if not (as_learner or as_staff):
        return None
    return LessonAccess(
        lesson=lesson, as_learner=as_learner, as_staff=as_staff, enrolment_id=lesson.active_enrolment_id
    )


def lesson_page_get(
    *, user: User, lesson_id: int, course_slug: str | None = None, as_preview: bool = False
) -> LessonPage | None:
    """Return what the lesson page shows, or None when the user may not open it."""
    access = lesson_access_get(user=user, lesson_id=lesson_id, course_slug=course_slug, as_preview=as_preview)
    if access is None:
        return None
    lesson = access.lesson
    place = lesson_place_get(lesson=lesson, learner=user if access.as_learner else None)
    return LessonPage(lesson=lesson, access=access, place=place)


def lesson_place_get(*, lesson: Lesson, learner: User | int | None) -> LessonPlace:
    """Return the lesson's place in its course's outline, in one query; without a learner, a preview's
    (drafts shown, no marks, no locks). `lesson.course` must be loaded with the lesson."""
    outline = course_outline_get(course=lesson.course, learner=learner, include_drafts=learner is None)
    items = outline.lessons
    index = next(i for i, item in enumerate(items) if item.lesson.id == lesson.id)
    return LessonPlace(
        course=lesson.course,
        outline=outline,
        current=items[index],
        previous=items[index - 1] if index > 0 else None,
        next=items[index + 1] if index + 1 < len(items) else None,
    )


def lesson_place_get_for_learner(*, learner_id: int, lesson_id: int) -> LessonPlace:
    """Return a learner's place in a published lesson's outline, in two queries (the lesson, the outline)."""
    lesson = Lesson.objects.select_related("course").defer("body_html").get(id=lesson_id, is_published=True)
    return lesson_place_get(lesson=lesson, learner=learner_id)


def lesson_page_context_get(
    page: LessonPage, *, slide: int, progress: LessonProgress | None = None, token: str = ""
) -> dict:
    """Return the lesson page's context: the learner's page, and the studio's preview of it (no
    progress, no heartbeat token: the player then reports nothing)."""
    lesson = page.lesson
    media = lesson_media_urls(lesson)
    return {
        "page": page,
        "lesson": lesson,
        "course": page.course,
        "progress": progress,
        "token": token,
        "resume": resume_position(progress.position_seconds, duration=lesson.duration_seconds) if progress else 0,
        "slide": slide,
        "slide_min_seconds": settings.SLIDE_PAGE_MIN_SECONDS,
        "heartbeat_seconds": settings.HEARTBEAT_SECONDS,
        "media": media,
        "slide_url": media["pages"][slide - 1] if slide and len(media["pages"]) >= slide else "",
    }


def lesson_media_access_get(*, user: User, lesson_id: int) -> LessonAccess | None:
    """Return the access to a lesson's media: as for its page, and a learner's lesson must be open."""
    access = lesson_access_get(user=user, lesson_id=lesson_id)
    if access is None or access.as_staff or lesson_is_open(learner=user, lesson=access.lesson):
        return access
    return None


def lesson_is_open(*, learner: User, lesson: Lesson) -> bool:
    """Return whether the learner may take the lesson: every earlier required lesson done if in order."""
    if not lesson.course.requires_order:
        return True
    item = course_outline_get(course=lesson.course, learner=learner).find(lesson.id)
    return item is None or not item.is_locked


def lesson_progress_get(*, learner: User, lesson: Lesson) -> LessonProgress | None:
    """Return the learner's progress in the lesson, if they opened it."""
    return LessonProgress.objects.filter(learner=learner, lesson=lesson).first()
