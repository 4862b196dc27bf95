"""The courses whose figures and names a viewer may read in statistics."""

from django.db.models import QuerySet

from courses.models import Course
from onetouch import scope
from onetouch.models import User


def course_list_readable(*, user: User) -> QuerySet[Course]:
    """Return the courses whose figures and names the user may read in statistics (onetouch.scope)."""
    return scope.filter_national_published_or_own(
        Course.objects.all(), user, province_field="owner_province", published_field="is_published"
    )


def course_list_for_filters(*, user: User) -> list[Course]:
    """Return what the course filter offers: the readable courses, by title."""
    return list(course_list_readable(user=user).only("id", "slug", "title").order_by("title", "id"))
