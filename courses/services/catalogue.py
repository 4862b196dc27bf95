"""Writes of the catalogue: courses, their derived columns and their enrolment counts."""

from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from courses.models import Audience, Course, CourseRun, Partner
from courses.pure.search import fold
from onetouch.models import Province


def course_search_text(course: Course) -> str:
    return fold(" ".join([course.title, course.summary, course.description]))


@transaction.atomic
def course_save(
    *,
    course: Course,
    audience_codes: Iterable[str] | None = None,
    partners: Iterable[Partner] | None = None,
) -> Course:
    """Validate and save a new or changed course, keeping its search text in step."""
    course.search_text = course_search_text(course)
    course.full_clean(exclude=["audiences", "partners"])
    course.save()
    if audience_codes is not None:
        course.audiences.set(audience_list_for_codes(audience_codes))
    if partners is not None:
        course.partners.set(partners)
    return course


@transaction.atomic
def course_create(
    *,
    title: str,
    slug: str,
    summary: str,
    topic: str,
    audience_codes: Iterable[str],
    description: str = "",
    level: str = "basic",
    format: str = "online",
    owner_province: Province | None = None,
    partners: Iterable[Partner] = (),
    estimated_hours: Decimal = Decimal("1"),
    is_published: bool = False,
) -> Course:
    """Create a course with its audience groups and partners."""
    course = Course(
        title=title,
        slug=slug,
        summary=summary,
        description=description,
        topic=topic,
        level=level,
        format=format,
        owner_province=owner_province,
        estimated_hours=estimated_hours,
        is_published=is_published,
    )
    return course_save(course=course, audience_codes=audience_codes, partners=partners)


def audience_list_for_codes(codes: Iterable[str]) -> list[Audience]:
    """Return the audience rows for these codes, creating any of the four that is missing."""
    return [Audience.objects.get_or_create(code=code)[0] for code in codes]


def course_enrolment_count_add(*, course_id: int, delta: int) -> None:
    """Move a course's enrolment count by delta, in the caller's transaction."""
    Course.objects.filter(id=course_id).update(enrolment_count=F("enrolment_count") + delta)


@transaction.atomic
def course_enrolment_counts_refresh() -> int:
    """Recount every course's active enrolments from the source rows; return courses changed."""
    active = (
        Course.objects.filter(id=OuterRef("id"))
        .annotate(total=Count("enrolments", filter=Q(enrolments__is_active=True)))
        .values("total")
    )
    return Course.objects.exclude(enrolment_count=Coalesce(Subquery(active), 0)).update(
        enrolment_count=Coalesce(Subquery(active), 0)
    )


@transaction.atomic
def course_run_create(*, course: Course, title: str, starts_on, ends_on) -> CourseRun:
    """Add a dated run to a course."""
    run = CourseRun(course=course, title=title, starts_on=starts_on, ends_on=ends_on)
    run.full_clean()
    run.save()
    return run


@transaction.atomic
def course_run_update(*, run: CourseRun, title: str, starts_on, ends_on) -> CourseRun:
    """Change a run's title or dates."""
    run.title, run.starts_on, run.ends_on = title, starts_on, ends_on
    run.full_clean()
    run.save()
    return run


@transaction.atomic
def course_run_delete(*, run: CourseRun) -> None:
    """Remove a run; one a learner enrolled in is protected by the database."""
    run.delete()
