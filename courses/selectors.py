from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, FilteredRelation, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from courses.forms import NATIONAL, CatalogueFilters
from courses.models import Choice, Course, CourseRun, Lesson, Module, Question, QuestionTag, Quiz
from courses.search import query_terms
from onetouch import scope
from onetouch.models import User


def course_list_published() -> QuerySet[Course]:
    """Return published courses with what every course card shows."""
    return (
        Course.objects.filter(is_published=True)
        .select_related("owner_province")
        .prefetch_related("audiences")
        .defer("description", "search_text")
    )


def course_list_for_catalogue(*, filters: CatalogueFilters) -> QuerySet[Course]:
    """Return published courses matching the filters, in the chosen order."""
    courses = course_list_published()
    for term in query_terms(filters.query):
        courses = courses.filter(search_text__contains=term)
    if filters.audience:
        courses = courses.filter(audiences__code=filters.audience)
    if filters.topic:
        courses = courses.filter(topic=filters.topic)
    if filters.province == NATIONAL:
        courses = courses.filter(owner_province__isnull=True)
    elif filters.province:
        courses = courses.filter(owner_province__code=filters.province)
    if filters.format:
        courses = courses.filter(format=filters.format)
    return courses.order_by(*filters.order_by)


def course_list_visible(*, user: User) -> QuerySet[Course]:
    """Return the courses the user may open: published ones, and unpublished ones they may preview."""
    return scope.filter_visible_or_published(
        Course.objects.all(), user, province_field="owner_province", published_field="is_published"
    )


def course_get_for_page(*, slug: str, user: User) -> Course | None:
    """Return the course for its page: published, or an unpublished one the user may preview."""
    return (
        course_list_visible(user=user)
        .select_related("owner_province")
        .prefetch_related("audiences", "partners", Prefetch("runs", queryset=CourseRun.objects.order_by("starts_on")))
        .filter(slug=slug)
        .first()
    )


def course_list_for_audience_counts() -> dict[str, int]:
    """Return how many published courses each audience group has, for the home page."""
    rows = Course.objects.filter(is_published=True).values("audiences__code").annotate(total=Count("id")).order_by()
    return {row["audiences__code"]: row["total"] for row in rows if row["audiences__code"]}


# --- The studio: every read through the scope module ---------------------------------------


def course_list_for_studio(*, user: User) -> QuerySet[Course]:
    """Return the courses the user may change, newest change first, with their lesson counts."""
    courses = scope.filter_to_scope(Course.objects.all(), user, province_field="owner_province")
    return (
        courses.select_related("owner_province")
        .defer("description", "search_text")
        .annotate(
            lesson_total=Count("lessons"),
            lesson_published=Count("lessons", filter=Q(lessons__is_published=True)),
        )
        .order_by("-updated_at", "-id")
    )


def course_get_for_studio(*, user: User, course_id: int, outline: bool = False) -> Course:
    """Return the course if the user may change it, else 404; with its modules and lessons for an outline."""
    courses = Course.objects.select_related("owner_province")
    if outline:
        courses = courses.prefetch_related(
            Prefetch("modules", queryset=Module.objects.order_by("position", "id")),
            Prefetch("modules__lessons", queryset=Lesson.objects.order_by("position", "id").defer("body_html")),
        )
    return scope.get_changeable_or_404(courses, user, province_field="owner_province", id=course_id)


def module_get_for_studio(*, user: User, module_id: int) -> Module:
    """Return the module if the user may change its course, else 404."""
    modules = scope.filter_to_scope(
        Module.objects.select_related("course"), user, province_field="course__owner_province"
    )
    return get_object_or_404(modules, id=module_id)


def lesson_get_for_studio(*, user: User, lesson_id: int) -> Lesson:
    """Return the lesson if the user may change its course, else 404."""
    lessons = scope.filter_to_scope(
        Lesson.objects.select_related("course", "module"), user, province_field="course__owner_province"
    )
    return get_object_or_404(lessons, id=lesson_id)


def lesson_list_processing_lost(*, changed_before: datetime, started_before: datetime) -> QuerySet[Lesson]:
    """Return lessons still processing whose job was lost, oldest change first.

    Lost: last changed (uploaded, retried, or queued again) before `changed_before`, and either no run
    has started on the file (the job was never queued, or its message was lost) or the run holding it
    started before `started_before` and never recorded a result (its worker died).
    """
    return (
        Lesson.objects.filter(processing=Lesson.Processing.PROCESSING, updated_at__lt=changed_before)
        .exclude(source="")
        .filter(Q(processing_run="") | Q(processing_started_at__lt=started_before))
        .order_by("updated_at", "id")
    )


# --- The course page's outline ------------------------------------------------------------------


@dataclass(frozen=True)
class CourseOutline:
    """A course's published lessons grouped by module, with one learner's progress through them."""

    modules: list[tuple[Module, list[Lesson]]]
    progress_percent: int
    has_started: bool
    next_lesson: Lesson | None


def course_outline_for_page(*, course: Course, learner: User | None) -> CourseOutline:
    """Return the outline in one query; with a learner, each lesson carries `done_at`.

    The learner's marks come through the lessons' `progress` relation joined on this learner
    alone (one row at most per lesson): courses never imports learners (docs/decisions/0001).
    """
    lessons = (
        Lesson.objects.filter(course=course, is_published=True)
        .select_related("module")
        .defer("body_html")
        .order_by("module__position", "module__id", "position", "id")
    )
    if learner is not None:
        lessons = lessons.annotate(mine=FilteredRelation("progress", condition=Q(progress__learner=learner)))
        lessons = lessons.annotate(done_at=F("mine__completed_at"))
    modules: list[tuple[Module, list[Lesson]]] = []
    for lesson in lessons:
        if not modules or modules[-1][0].id != lesson.module_id:
            modules.append((lesson.module, []))
        modules[-1][1].append(lesson)
    every = [lesson for _module, part in modules for lesson in part]
    required = [lesson for lesson in every if lesson.is_required]
    done = {lesson.id for lesson in every if getattr(lesson, "done_at", None)}
    return CourseOutline(
        modules=modules,
        progress_percent=100 * sum(lesson.id in done for lesson in required) // len(required) if required else 0,
        has_started=bool(done),
        next_lesson=next((lesson for lesson in every if lesson.id not in done), every[0] if every else None),
    )


# --- The question bank ----------------------------------------------------------------------------


def question_list_for_bank(*, course: Course, tag: QuestionTag | None, is_active: bool | None) -> QuerySet[Question]:
    """Return the course's questions for its bank page, newest first, with their tags and choice counts."""
    questions_ = course.questions.prefetch_related("tags").annotate(choice_count=Count("choices"))
    if tag is not None:
        questions_ = questions_.filter(tags=tag)
    if is_active is not None:
        questions_ = questions_.filter(is_active=is_active)
    return questions_.order_by("-id")


def question_get_for_studio(*, user: User, question_id: int) -> Question:
    """Return the question if the user may change its course, else 404; with its choices and tags."""
    questions_ = scope.filter_to_scope(
        Question.objects.select_related("course").prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position", "id")), "tags"
        ),
        user,
        province_field="course__owner_province",
    )
    return get_object_or_404(questions_, id=question_id)


def question_active_count(*, course: Course) -> int:
    """Return how many of the course's questions are in use (quizzes draw from these)."""
    return course.questions.filter(is_active=True).count()


def quiz_for_lesson(*, lesson: Lesson) -> Quiz | None:
    """Return the settings of a quiz lesson, or None before they are first saved."""
    return Quiz.objects.select_related("draw_tag").filter(lesson=lesson).first()


def question_tags_with_counts(*, course: Course) -> QuerySet[QuestionTag]:
    """Return the course's tags, each with how many of its questions are in use."""
    return course.question_tags.annotate(active_count=Count("questions", filter=Q(questions__is_active=True)))
