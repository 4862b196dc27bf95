"""Writes of a course's structure: modules and lessons, their order and publication."""

from django.db import transaction
from django.db.models import Max

from courses.models import Course, Lesson, Module


@transaction.atomic
def module_create(*, course: Course, title: str) -> Module:
    """Add a module at the end of the course."""
    last = course.modules.aggregate(last=Max("position"))["last"]
    module = Module(course=course, title=title.strip(), position=0 if last is None else last + 1)
    module.full_clean()
    module.save()
    return module


@transaction.atomic
def lesson_create(
    *,
    module: Module,
    title: str,
    kind: str,
    is_required: bool = True,
    estimated_minutes: int = 5,
    body_html: str = "",
) -> Lesson:
    """Add a draft lesson at the end of the module; files are attached by courses.services.materials."""
    last = module.lessons.aggregate(last=Max("position"))["last"]
    lesson = Lesson(
        course_id=module.course_id,
        module=module,
        title=title.strip(),
        kind=kind,
        position=0 if last is None else last + 1,
        is_required=is_required,
        estimated_minutes=estimated_minutes,
        body_html=body_html,
        processing=Lesson.Processing.NOT_NEEDED if kind == Lesson.Kind.TEXT else Lesson.Processing.WAITING,
    )
    lesson.full_clean()
    lesson.save()
    return lesson
