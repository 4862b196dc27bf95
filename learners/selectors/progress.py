"""Reads of the learner's side of lessons: who may open a lesson, its outline and progress marks."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet

from courses.models import Course, Lesson, Module
from learners.models import Enrolment, LessonProgress
from onetouch import scope
from onetouch.models import User


@dataclass
class OutlineLesson:
    lesson: Lesson
    is_done: bool = False
    is_locked: bool = False


@dataclass
class OutlineModule:
    module: Module
    lessons: list[OutlineLesson] = field(default_factory=list)


@dataclass
class CourseOutline:
    """A course's modules and lessons in order, with a learner's marks (none for a preview)."""

    modules: list[OutlineModule]

    @property
    def lessons(self) -> list[OutlineLesson]:
        return [item for module in self.modules for item in module.lessons]

    @property
    def percent(self) -> int:
        required = [item for item in self.lessons if item.lesson.is_required and item.lesson.is_published]
        return percent_of(sum(item.is_done for item in required), len(required))

    def find(self, lesson_id: int) -> OutlineLesson | None:
        return next((item for item in self.lessons if item.lesson.id == lesson_id), None)

    def next_to_learn(self) -> OutlineLesson | None:
        """Return the first lesson not done and not locked (the first lesson when all are done)."""
        items = self.lessons
        return next((item for item in items if not item.is_done and not item.is_locked), items[0] if items else None)


@dataclass(frozen=True)
class LessonAccess:
    """How a user reaches a lesson: as an enrolled learner (progress is recorded), as staff in scope
    (a preview, drafts included, nothing recorded), or both."""

    lesson: Lesson
    as_learner: bool
    as_staff: bool


@dataclass
class LessonPage:
    lesson: Lesson
    access: LessonAccess
    outline: CourseOutline
    current: OutlineLesson
    previous: Lesson | None
    next: Lesson | None

    @property
    def course(self) -> Course:
        return self.lesson.course

    @property
    def is_preview(self) -> bool:
        return not self.access.as_learner

    @property
    def is_locked(self) -> bool:
        return self.access.as_learner and self.current.is_locked


def percent_of(done: int, total: int) -> int:
    """Return done/total as a whole per cent, rounded down so 100 means all."""
    return 100 * done // total if total else 0


def course_outline(*, course: Course, learner: User | None = None, include_drafts: bool = False) -> CourseOutline:
    """Return the outline in one query; with a learner, each lesson's mark and the order locks."""
    lessons: QuerySet[Lesson] = (
        Lesson.objects.filter(course=course)
        .select_related("module")
        .defer("body_html")
        .order_by("module__position", "module__id", "position", "id")
    )
    if not include_drafts:
        lessons = lessons.filter(is_published=True)
    if learner is not None:
        done = LessonProgress.objects.filter(lesson=OuterRef("pk"), learner=learner, completed_at__isnull=False)
        lessons = lessons.annotate(is_done=Exists(done))
    modules: list[OutlineModule] = []
    blocked = False
    for lesson in lessons:
        if not modules or modules[-1].module.id != lesson.module_id:
            modules.append(OutlineModule(module=lesson.module))
        is_done = bool(getattr(lesson, "is_done", False))
        is_locked = learner is not None and course.requires_order and blocked
        modules[-1].lessons.append(OutlineLesson(lesson=lesson, is_done=is_done, is_locked=is_locked))
        if lesson.is_required and lesson.is_published and not is_done:
            blocked = True
    return CourseOutline(modules=modules)


def lesson_access_get(*, user: User, lesson_id: int, course_slug: str | None = None) -> LessonAccess | None:
    """Return how the user may reach the lesson: enrolled learner or staff in scope; None otherwise."""
    if not user.is_authenticated:
        return None
    lessons = Lesson.objects.select_related("course", "module")
    if course_slug is not None:
        lessons = lessons.filter(course__slug=course_slug)
    lesson = lessons.filter(id=lesson_id).first()
    if lesson is None:
        return None
    as_staff = scope.can_change(user, lesson.course.owner_province_id)
    as_learner = (
        lesson.is_published
        and lesson.course.is_published
        and Enrolment.objects.filter(learner=user, course_id=lesson.course_id, is_active=True).exists()
    )
    if not (as_learner or as_staff):
        return None
    return LessonAccess(lesson=lesson, as_learner=as_learner, as_staff=as_staff)


def lesson_page_get(*, user: User, course_slug: str, lesson_id: int) -> LessonPage | None:
    """Return what the lesson page shows, or None when the user may not open it."""
    access = lesson_access_get(user=user, lesson_id=lesson_id, course_slug=course_slug)
    if access is None:
        return None
    lesson = access.lesson
    outline = course_outline(
        course=lesson.course,
        learner=user if access.as_learner else None,
        include_drafts=not access.as_learner,
    )
    items = outline.lessons
    index = next(i for i, item in enumerate(items) if item.lesson.id == lesson.id)
    return LessonPage(
        lesson=lesson,
        access=access,
        outline=outline,
        current=items[index],
        previous=items[index - 1].lesson if index > 0 else None,
        next=items[index + 1].lesson if index + 1 < len(items) else None,
    )


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
    item = course_outline(course=lesson.course, learner=learner).find(lesson.id)
    return item is None or not item.is_locked


def lesson_progress_get(*, learner: User, lesson: Lesson) -> LessonProgress | None:
    """Return the learner's progress in the lesson, if they opened it."""
    return LessonProgress.objects.filter(learner=learner, lesson=lesson).first()
