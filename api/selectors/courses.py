"""The API's reads of courses: the catalogue's and the course page's own selectors, with the runs along.

No rule is written here: which courses are listed and in what order is
courses.selectors.catalogue.course_list_for_catalogue (published only, as the catalogue page), and
which course a requester may open is course_get_for_page (published, or a draft the requester may
preview: a province's own drafts for that province's admin or key, every draft for the ministry).
"""

from django.db.models import Prefetch, QuerySet

from courses.models import Course, CourseRun
from courses.selectors.catalogue import CatalogueFilters, course_get_for_page, course_list_for_catalogue
from onetouch.models import User


def course_list_for_api(*, filters: CatalogueFilters) -> QuerySet[Course]:
    """Return the catalogue's courses for these filters, in its order, with their runs."""
    return course_list_for_catalogue(filters=filters).prefetch_related(
        Prefetch("runs", queryset=CourseRun.objects.order_by("starts_on", "id"))
    )


def course_get_for_api(*, slug: str, user: User) -> Course | None:
    """Return the course the requester may open at its page, or None (missing and out of scope alike)."""
    return course_get_for_page(slug=slug, user=user)
