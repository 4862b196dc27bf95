"""Small builders that go through the product's own services, so tests set data up as users do."""

import itertools

from courses.models import Course, CourseFormat, Topic
from courses.services import course_create
from learners.services import profile_save
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
