"""The course outline, built one way: modules and lessons in order with a learner's marks and locks.

The course page, the lesson page and its outline, the lesson-order rule and the demo all read it.
A lesson is locked for a learner when the course requires its lessons in order and an earlier
published required lesson is not completed; the lesson page refuses a locked lesson, and the course
page shows it without a link. Learners' marks are read through the lessons' `progress` relation
(one row at most per learner and lesson): courses never imports learners (docs/decisions/0001).
"""

from dataclasses import dataclass, field

from django.db.models import F, FilteredRelation, Q, QuerySet

from courses.models import Course, Lesson, Module
from courses.selectors.progress import CourseProgress, lesson_is_counted
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
    def progress(self) -> CourseProgress:
        counted = [item for item in self.lessons if lesson_is_counted(item.lesson)]
        return CourseProgress(done=sum(item.is_done for item in counted), required=len(counted))

    @property
    def percent(self) -> int:
        return self.progress.percent

    @property
    def has_started(self) -> bool:
        return any(item.is_done for item in self.lessons)

    def find(self, lesson_id: int) -> OutlineLesson | None:
        return next((item for item in self.lessons if item.lesson.id == lesson_id), None)

    def next_to_learn(self) -> OutlineLesson | None:
        return next_to_learn(self.lessons)


def next_to_learn(items: list[OutlineLesson]) -> OutlineLesson | None:
    """Return the lesson to learn next: the first not done and not locked (the first lesson when all are done).

    The one statement of the rule: the course page, the lesson page, enrolling and every card of
    My learning (through `course_outlines_get`) ask it.
    """
    return next((item for item in items if not item.is_done and not item.is_locked), items[0] if items else None)


def course_outline_get(
    *, course: Course, learner: User | int | None = None, include_drafts: bool = False
) -> CourseOutline:
    """Return the outline in one query; with a learner, each lesson's mark and the order locks."""
    return course_outlines_get(courses=[course], learner=learner, include_drafts=include_drafts)[course.id]


def course_outlines_get(
    *, courses: list[Course], learner: User | int | None = None, include_drafts: bool = False
) -> dict[int, CourseOutline]:
    """Return each course's outline by course id, all in one query, however many courses."""
    outlines: dict[int, CourseOutline] = {course.id: CourseOutline(modules=[]) for course in courses}
    if not courses:
        return outlines
    requires_order = {course.id: course.requires_order for course in courses}
    lessons: QuerySet[Lesson] = (
        Lesson.objects.filter(course_id__in=list(outlines))
        .select_related("module")
        .defer("body_html")
        .order_by("course_id", "module__position", "module__id", "position", "id")
    )
    if not include_drafts:
        lessons = lessons.filter(is_published=True)
    if learner is not None:
        lessons = lessons.annotate(mine=FilteredRelation("progress", condition=Q(progress__learner=learner)))
        lessons = lessons.annotate(done_at=F("mine__completed_at"))
    blocked: set[int] = set()  # courses in which a required lesson is not done yet
    for lesson in lessons:
        modules = outlines[lesson.course_id].modules
        if not modules or modules[-1].module.id != lesson.module_id:
            modules.append(OutlineModule(module=lesson.module))
        is_done = getattr(lesson, "done_at", None) is not None
        is_locked = learner is not None and requires_order[lesson.course_id] and lesson.course_id in blocked
        modules[-1].lessons.append(OutlineLesson(lesson=lesson, is_done=is_done, is_locked=is_locked))
        if lesson_is_counted(lesson) and not is_done:
            blocked.add(lesson.course_id)
    return outlines
