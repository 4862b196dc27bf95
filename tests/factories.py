"""Small builders that go through the product's own services, so tests set data up as users do."""

import itertools

from courses.models import Audience, Course, CourseFormat, Topic
from courses.services.catalogue import course_create, course_search_text
from learners.models import Enrolment
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
