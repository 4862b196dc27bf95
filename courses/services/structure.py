"""Writes of a course's structure: its modules and lessons, their order and publication.

Invariants callers may rely on:
- positions of the modules of a course, and of the lessons of a module, are rewritten together in
  one transaction as 0, 1, 2…, from a complete list of ids (`module_reorder`, `lesson_reorder`);
- a published video or slides lesson has finished processing; a published document lesson has its
  file; a published text lesson has text; a published quiz lesson has its settings and enough active
  questions in the bank to draw (courses.services.questions keeps it so); a published course keeps
  at least one published lesson;
- a lesson body is stored only after courses.pure.richtext cleaned it;
- a module is deleted only when empty, a lesson only while unpublished and never opened by a learner,
  so no learner's progress or recorded event is ever lost by authoring.
"""

import logging
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.media.storage import storage_names_delete
from courses.models import Course, Lesson, Module, Question, Quiz
from courses.pure.richtext import lesson_html_clean
from courses.services.catalogue import course_locked

logger = logging.getLogger(__name__)

MODULE_ORDER_REFUSED = gettext_lazy("The new order must list each module of this course exactly once.")
LESSON_ORDER_REFUSED = gettext_lazy("The new order must list each lesson of this module exactly once.")


# --- Modules ------------------------------------------------------------------------------------


@transaction.atomic
def module_create(*, course: Course, title: str) -> Module:
    """Add a module at the end of the course."""
    last = course.modules.aggregate(last=Max("position"))["last"]
    module = Module(course=course, title=title.strip(), position=0 if last is None else last + 1)
    module.full_clean()
    module.save()
    return module


@transaction.atomic
def module_update(*, module: Module, title: str) -> Module:
    """Rename a module."""
    module.title = title.strip()
    module.full_clean()
    module.save(update_fields=["title"])
    return module


@transaction.atomic
def module_delete(*, module: Module) -> None:
    """Delete an empty module; one that still holds lessons is refused."""
    if module.lessons.exists():
        raise ValidationError(_("This module still has lessons. Delete or move them to another module first."))
    course = module.course
    module.delete()
    module_reorder(course=course, module_ids=list(course.modules.values_list("id", flat=True)))


@transaction.atomic
def module_reorder(*, course: Course, module_ids: Sequence[int]) -> None:
    """Put the course's modules in this order; the list must name each of them exactly once."""
    siblings_reorder(course.modules.all(), module_ids, refused=MODULE_ORDER_REFUSED)


@transaction.atomic
def module_move(*, module: Module, offset: int) -> None:
    """Move a module up (offset -1) or down (+1) among its course's modules."""
    siblings_move(module.course.modules.all(), module.id, offset, refused=MODULE_ORDER_REFUSED)


# --- Lessons ------------------------------------------------------------------------------------


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
        body_html=lesson_html_clean(body_html),
        processing=(
            Lesson.Processing.NOT_NEEDED if kind in (Lesson.Kind.TEXT, Lesson.Kind.QUIZ) else Lesson.Processing.WAITING
        ),
    )
    lesson.full_clean()
    lesson.save()
    return lesson


@transaction.atomic
def lesson_update(
    *,
    lesson: Lesson,
    title: str,
    is_required: bool,
    estimated_minutes: int,
    body_html: str | None = None,
    module: Module | None = None,
) -> Lesson:
    """Change a lesson's title, requirement, time and text, or move it to the end of another module."""
    fields = ["title", "is_required", "estimated_minutes", "updated_at"]
    lesson.title = title.strip()
    lesson.is_required = is_required
    lesson.estimated_minutes = estimated_minutes
    if body_html is not None:
        lesson.body_html = lesson_html_clean(body_html)
        fields.append("body_html")
        if lesson.is_published and lesson.kind == Lesson.Kind.TEXT and not lesson.body_html:
            raise ValidationError(_("A published text lesson needs some text."))
    if module is not None and module.id != lesson.module_id:
        if module.course_id != lesson.course_id:
            raise ValidationError(_("A lesson can only move to a module of the same course."))
        last = module.lessons.aggregate(last=Max("position"))["last"]
        lesson.module = module
        lesson.position = 0 if last is None else last + 1
        fields += ["module", "position"]
    lesson.full_clean()
    lesson.save(update_fields=fields)
    return lesson


@transaction.atomic
def lesson_delete(*, lesson: Lesson) -> None:
    """Delete a draft lesson nobody has opened, and its files once the deletion is committed."""
    if lesson.is_published:
        raise ValidationError(_("Unpublish this lesson before deleting it."))
    if lesson.progress.exists():
        raise ValidationError(
            _(
                "Learners have already opened this lesson. Leave it unpublished rather than deleting it, "
                "so their progress stays."
            )
        )
    names = [name for name in (lesson.source.name, lesson.captions.name) if name]
    folder = f"lessons/{lesson.course_id}/{lesson.id}/"
    module = lesson.module
    lesson.delete()
    lesson_reorder(module=module, lesson_ids=list(module.lessons.values_list("id", flat=True)))
    transaction.on_commit(lambda: storage_names_delete(names=names, prefix=folder))


@transaction.atomic
def lesson_reorder(*, module: Module, lesson_ids: Sequence[int]) -> None:
    """Put the module's lessons in this order; the list must name each of them exactly once."""
    siblings_reorder(module.lessons.all(), lesson_ids, refused=LESSON_ORDER_REFUSED)


@transaction.atomic
def lesson_move(*, lesson: Lesson, offset: int) -> None:
    """Move a lesson up (offset -1) or down (+1) within its module."""
    siblings_move(lesson.module.lessons.all(), lesson.id, offset, refused=LESSON_ORDER_REFUSED)


def lesson_publish_problem(lesson: Lesson) -> str | None:
    """Return why the lesson cannot be shown to learners yet, or None when it can."""
    processing = lesson.processing
    if lesson.kind == Lesson.Kind.QUIZ:
        return quiz_publish_problem(lesson)
    if lesson.kind == Lesson.Kind.TEXT:
        return None if lesson.body_html else _("Write the text of this lesson before publishing it.")
    if not lesson.source:
        return _("Upload the file of this lesson before publishing it.")
    if processing == Lesson.Processing.PROCESSING:
        return _("This lesson's file is still being processed. Publish it when it is ready.")
    if processing == Lesson.Processing.FAILED:
        return _("Processing of this lesson's file failed. Retry or upload another file first.")
    if lesson.kind in (Lesson.Kind.VIDEO, Lesson.Kind.SLIDES) and processing != Lesson.Processing.READY:
        return _("This lesson's file is not ready yet.")
    return None


def quiz_publish_problem(lesson: Lesson) -> str | None:
    """Return why a quiz lesson cannot be published: no settings yet, or too few active questions to draw."""
    quiz = Quiz.objects.select_related("draw_tag").filter(lesson_id=lesson.id).first()
    if quiz is None:
        return _("Set up this quiz (how many questions it draws, its pass mark, its attempts) before publishing it.")
    questions = Question.objects.filter(course_id=lesson.course_id, is_active=True)
    if quiz.draw_tag is not None:
        questions = questions.filter(tags=quiz.draw_tag)
    available = questions.count()
    if available >= quiz.questions_drawn:
        return None
    if quiz.draw_tag is not None:
        return _(
            "The quiz draws %(drawn)d questions tagged “%(tag)s”, and the question bank has %(available)d of them "
            "in use. Add questions with this tag or draw fewer."
        ) % {"drawn": quiz.questions_drawn, "tag": quiz.draw_tag.name, "available": available}
    return _(
        "The quiz draws %(drawn)d questions, and the question bank has %(available)d in use. "
        "Add questions or draw fewer."
    ) % {"drawn": quiz.questions_drawn, "available": available}


@transaction.atomic
def lesson_publish(*, lesson: Lesson) -> Lesson:
    """Show the lesson to the course's learners; video and slides only once processed."""
    problem = lesson_publish_problem(lesson)
    if problem:
        raise ValidationError(problem)
    lesson.is_published = True
    lesson.save(update_fields=["is_published", "updated_at"])
    return lesson


@transaction.atomic
def lesson_unpublish(*, lesson: Lesson) -> Lesson:
    """Hide the lesson from learners; the last published lesson of a published course is refused."""
    course = course_locked(lesson.course)
    others = course.lessons.filter(is_published=True).exclude(id=lesson.id)
    if course.is_published and lesson.is_published and not others.exists():
        raise ValidationError(_("This is the only published lesson of a published course. Unpublish the course first."))
    lesson.is_published = False
    lesson.save(update_fields=["is_published", "updated_at"])
    return lesson


# --- Order: one implementation for a course's modules and a module's lessons ------------------------


def siblings_reorder(siblings: QuerySet, ids: Sequence[int], *, refused: str) -> None:
    """Put the rows (a course's modules or a module's lessons) in this order, locked while they are
    numbered again; `ids` must name each of them exactly once, else `refused` is raised."""
    rows = {row.id: row for row in siblings.select_for_update().only("id", "position")}
    if len(ids) != len(set(ids)) or set(ids) != set(rows):
        raise ValidationError(refused)
    positions_rewrite(siblings.model, [rows[row_id] for row_id in ids])


def siblings_move(siblings: QuerySet, moved_id: int, offset: int, *, refused: str) -> None:
    """Move one of the rows up (offset -1) or down (+1) among them, kept within the list."""
    siblings_reorder(
        siblings, order_moved(list(siblings.values_list("id", flat=True)), moved_id, offset), refused=refused
    )


def order_moved(ids: list[int], moved_id: int, offset: int) -> list[int]:
    """Return the ids with `moved_id` shifted by offset places, kept within the list."""
    index = ids.index(moved_id)
    target = max(0, min(len(ids) - 1, index + offset))
    ids.insert(target, ids.pop(index))
    return ids


def positions_rewrite(model: type[Module] | type[Lesson], rows: list) -> None:
    """Number the rows 0, 1, 2… in the given order, writing only those whose position changed."""
    changed = []
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            changed.append(row)
    model.objects.bulk_update(changed, ["position"])
