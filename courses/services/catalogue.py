"""Writes of courses: created, drafted and described (the studio, the back office), published and
unpublished, with their runs, search text and enrolment counts.

Invariants callers may rely on:
- a provincial admin's course always belongs to their province; only ministry staff choose a national
  course or another province (`course_draft_create`, `course_update`);
- a published course has at least one published lesson (`course_publish`; courses.services.structure
  keeps it so when lessons are unpublished);
- a course's web address is never refused as taken: the first free one like it is used instead.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from courses.models import Audience, Course, CourseFormat, CourseRun, Level, Partner
from courses.pure.search import fold
from onetouch import scope
from onetouch.models import Province, User

SLUG_MAX_LENGTH = 80


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


def audience_list_for_codes(codes: Iterable[str]) -> list[Audience]:
    """Return the audience rows for these codes, creating any of the four that is missing."""
    return [Audience.objects.get_or_create(code=code)[0] for code in codes]


def course_enrolment_counts_refresh() -> int:
    """Recount every course's active enrolments from the source rows; return how many courses changed.

    The only writer of the counts (enrolling leaves the course's row alone). The enrolments are
    counted in one pass, grouped by course, and only the courses whose count moved are written, by
    an UPDATE that sends no signal: a recount does not make the catalogue's cached pages stale.
    """
    active = Count("enrolments", filter=Q(enrolments__is_active=True))
    counts = Course.objects.annotate(active=active).values_list("id", "enrolment_count", "active")
    changed = [Course(id=pk, enrolment_count=now) for pk, before, now in counts if before != now]
    return Course.objects.bulk_update(changed, ["enrolment_count"], batch_size=500)


@transaction.atomic
def course_run_create(*, course: Course, title: str, starts_on, ends_on) -> CourseRun:
    """Add a dated run to a course."""
    run = CourseRun(course=course, title=title, starts_on=starts_on, ends_on=ends_on)
    run.full_clean()
    run.save()
    return run


@transaction.atomic
def course_run_update(*, run: CourseRun, title: str, starts_on, ends_on) -> CourseRun:
    """Change a run's title or dates; they must keep the run's in-person day, if any, inside them."""
    # The day lives in the inperson app above this one: read through the relation's name, not an import.
    day_starts_at = (
        CourseRun.objects.filter(id=run.id, in_person_day__cancelled_at__isnull=True)
        .values_list("in_person_day__starts_at", flat=True)
        .first()
    )
    if day_starts_at is not None and not starts_on <= timezone.localtime(day_starts_at).date() <= ends_on:
        message = _("This run's in-person day, on %(date)s, must stay within the run's dates: move the day first.")
        raise ValidationError(message % {"date": formats.date_format(timezone.localtime(day_starts_at).date())})
    run.title, run.starts_on, run.ends_on = title, starts_on, ends_on
    run.full_clean()
    run.save()
    return run


@transaction.atomic
def course_run_delete(*, run: CourseRun) -> None:
    """Remove a run; one a learner enrolled in is protected by the database."""
    run.delete()
