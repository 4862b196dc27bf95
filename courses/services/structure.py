"""Writes of a course's structure: courses as authored in the studio, modules and lessons, their order
and publication.

Invariants callers may rely on:
- a provincial admin's course always belongs to their province; only ministry staff choose a national
  course or another province (`course_draft_create`, `course_update`);
- positions of the modules of a course, and of the lessons of a module, are rewritten together in
  one transaction as 0, 1, 2…, from a complete list of ids (`module_reorder`, `lesson_reorder`);
- a published video or slides lesson has finished processing; a published document lesson has its
  file; a published text lesson has text; a published quiz lesson has its settings and enough active
  questions in the bank to draw (courses.services.questions keeps it so); a published course keeps
  at least one published lesson;
- a course's web address is never refused as taken: the first free one like it is used instead;
- a lesson body is stored only after courses.pure.richtext cleaned it;
- a module is deleted only when empty, a lesson only while unpublished and never opened by a learner,
  so no learner's progress or recorded event is ever lost by authoring.
"""

import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from courses.models import Course, CourseFormat, Lesson, Level, Module, Partner, Question, Quiz
from courses.pure.richtext import lesson_html_clean
from courses.pure.search import fold
from courses.services.catalogue import course_save
from onetouch import scope
from onetouch.models import Province, User

logger = logging.getLogger(__name__)

SLUG_MAX_LENGTH = 80


# --- Courses ------------------------------------------------------------------------------------


def course_owner_for(*, author: User, requested: Province | None) -> Province | None:
    """Return the province that will own a course this author writes (None: a national course)."""
    if scope.has_national_scope(author):
        owner = requested
    elif scope.has_province_scope(author):
        owner = author.scope_province
    else:
        raise PermissionDenied
    if not scope.can_change(author, owner.id if owner else None):
        raise PermissionDenied
    return owner


def course_slug_new(*, title: str) -> str:
    """Return an unused slug made from the title without diacritics ("Chuyển đổi số" → "chuyen-doi-so")."""
    return course_slug_free(wanted=slugify(fold(title))[:SLUG_MAX_LENGTH].strip("-") or "khoa-hoc")


def course_slug_free(*, wanted: str, course_id: int | None = None) -> str:
    """Return `wanted` if no other course has it, else it with the first free number added ("-2", "-3"…).

    Never a "taken" error: the course holding the address may be another province's draft, and
    nothing may tell its author more than that the address was not free (docs/decisions/0009).
    """
    field_length = Course._meta.get_field("slug").max_length
    # Every candidate starts with this prefix: a suffix of up to ten characters shortens only the rest.
    prefix = wanted[: field_length - 10]
    taken = set(Course.objects.filter(slug__startswith=prefix).exclude(id=course_id).values_list("slug", flat=True))
    slug, number = wanted, 2
    while slug in taken:
        suffix = f"-{number}"
        slug, number = wanted[: field_length - len(suffix)] + suffix, number + 1
    return slug


@transaction.atomic
def course_draft_create(
    *,
    author: User,
    title: str,
    summary: str,
    topic: str,
    audience_codes: Iterable[str],
    slug: str = "",
    description: str = "",
    level: str = Level.BASIC,
    format: str = CourseFormat.ONLINE,
    owner_province: Province | None = None,
    estimated_hours: Decimal = Decimal("1"),
    requires_order: bool = False,
    partners: Iterable[Partner] | None = None,
    cover_image: File | None = None,
) -> Course:
    """Create an unpublished course owned by the author's province (ministry staff choose)."""
    course = Course(
        title=title.strip(),
        slug=course_slug_free(wanted=slug) if slug else course_slug_new(title=title),
        summary=summary.strip(),
        description=description.strip(),
        topic=topic,
        level=level,
        format=format,
        owner_province=course_owner_for(author=author, requested=owner_province),
        estimated_hours=estimated_hours,
        requires_order=requires_order,
        is_published=False,
    )
    if cover_image:
        course.cover_image = cover_image
    return course_save(course=course, audience_codes=audience_codes, partners=partners)


@transaction.atomic
def course_update(
    *,
    author: User,
    course: Course,
    title: str,
    slug: str,
    summary: str,
    topic: str,
    audience_codes: Iterable[str],
    description: str = "",
    level: str = Level.BASIC,
    format: str = CourseFormat.ONLINE,
    owner_province: Province | None = None,
    estimated_hours: Decimal = Decimal("1"),
    requires_order: bool = False,
    partners: Iterable[Partner] | None = None,
) -> Course:
    """Change a course's description; a provincial admin's course stays in their province."""
    if not scope.can_change(author, course.owner_province_id):
        raise PermissionDenied
    course.title = title.strip()
    course.slug = course_slug_free(wanted=slug, course_id=course.id) if slug else course.slug
    course.summary = summary.strip()
    course.description = description.strip()
    course.topic = topic
    course.level = level
    course.format = format
    course.owner_province = course_owner_for(author=author, requested=owner_province)
    course.estimated_hours = estimated_hours
    course.requires_order = requires_order
    return course_save(course=course, audience_codes=audience_codes, partners=partners)


def course_locked(course: Course) -> Course:
    """Lock the course row for the rest of the transaction, so publication changes are serialised."""
    return Course.objects.select_for_update().get(id=course.id)


def course_publish_problem(course: Course) -> str | None:
    """Return why the course may not be published now (it needs a published lesson), or None."""
    if course.pk is None or not course.lessons.filter(is_published=True).exists():
        return _("Publish at least one lesson before publishing the course.")
    return None


@transaction.atomic
def course_publish(*, course: Course) -> Course:
    """Show the course to learners; it needs at least one published lesson."""
    problem = course_publish_problem(course_locked(course))
    if problem:
        raise ValidationError(problem)
    course.is_published = True
    return course_save(course=course)


@transaction.atomic
def course_unpublish(*, course: Course) -> Course:
    """Hide the course from the catalogue and from learners; enrolments and progress are kept."""
    course_locked(course)
    course.is_published = False
    return course_save(course=course)


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
    modules = {module.id: module for module in course.modules.select_for_update().only("id", "position")}
    if len(module_ids) != len(set(module_ids)) or set(module_ids) != set(modules):
        raise ValidationError(_("The new order must list each module of this course exactly once."))
    positions_rewrite(Module, [modules[module_id] for module_id in module_ids])


@transaction.atomic
def module_move(*, module: Module, offset: int) -> None:
    """Move a module up (offset -1) or down (+1) among its course's modules."""
    ids = list(module.course.modules.values_list("id", flat=True))
    module_reorder(course=module.course, module_ids=order_moved(ids, module.id, offset))


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
    transaction.on_commit(lambda: storage_files_delete(names=names, folder=folder))


@transaction.atomic
def lesson_reorder(*, module: Module, lesson_ids: Sequence[int]) -> None:
    """Put the module's lessons in this order; the list must name each of them exactly once."""
    lessons = {lesson.id: lesson for lesson in module.lessons.select_for_update().only("id", "position")}
    if len(lesson_ids) != len(set(lesson_ids)) or set(lesson_ids) != set(lessons):
        raise ValidationError(_("The new order must list each lesson of this module exactly once."))
    positions_rewrite(Lesson, [lessons[lesson_id] for lesson_id in lesson_ids])


@transaction.atomic
def lesson_move(*, lesson: Lesson, offset: int) -> None:
    """Move a lesson up (offset -1) or down (+1) within its module."""
    ids = list(lesson.module.lessons.values_list("id", flat=True))
    lesson_reorder(module=lesson.module, lesson_ids=order_moved(ids, lesson.id, offset))


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


# --- Helpers ------------------------------------------------------------------------------------


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


def storage_files_delete(*, names: list[str], folder: str) -> None:
    """Delete a removed lesson's files from storage; a failure is logged, never raised to the author."""
    try:
        for name in names:
            default_storage.delete(name)
        storage_folder_delete(folder)
    except Exception:
        logger.exception("Could not delete the files of a removed lesson under %s", folder)


def storage_folder_delete(folder: str) -> None:
    try:
        directories, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{folder}{name}")
    for directory in directories:
        storage_folder_delete(f"{folder}{directory}/")
