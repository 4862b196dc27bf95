"""Reads of the catalogue: published courses, the catalogue's filters and order, the course page's course."""

import hashlib
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from courses.models import Course, CourseRun
from courses.pure.search import query_terms
from courses.selectors.outline import course_outline_get
from onetouch import scope
from onetouch.models import User

# The province filter's value for courses no province owns.
NATIONAL = "national"


class CatalogueSort:
    NEWEST = "newest"
    POPULAR = "popular"
    CHOICES = [(NEWEST, _("Newest")), (POPULAR, _("Most enrolled"))]
    ORDER_BY = {NEWEST: ["-created_at", "-id"], POPULAR: ["-enrolment_count", "-created_at", "-id"]}


@dataclass(frozen=True)
class CatalogueFilters:
    """The catalogue's query once validated; an empty string means "any"."""

    query: str = ""
    audience: str = ""
    topic: str = ""
    province: str = ""
    format: str = ""
    sort: str = CatalogueSort.NEWEST

    @property
    def order_by(self) -> list[str]:
        return CatalogueSort.ORDER_BY[self.sort]

    def cache_key(self) -> str:
        """Return a short key equal for every query that selects the same courses in the same order."""
        return self._digest(self.sort)

    def match_key(self) -> str:
        """Return a short key equal for every query that selects the same courses, in any order (a count)."""
        return self._digest("")

    def _digest(self, sort: str) -> str:
        parts = [" ".join(query_terms(self.query)), self.audience, self.topic, self.province, self.format, sort]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def course_card_related(courses: QuerySet[Course]) -> QuerySet[Course]:
    """Fetch along what every course card shows (province, audiences), and leave out the long texts."""
    return courses.select_related("owner_province").prefetch_related("audiences").defer("description", "search_text")


def course_list_published() -> QuerySet[Course]:
    """Return published courses with what every course card shows."""
    return course_card_related(Course.objects.filter(is_published=True))


def course_list_matching(*, filters: CatalogueFilters) -> QuerySet[Course]:
    """Return the published courses matching the filters, in the chosen order, with nothing fetched along."""
    # Gathered into one filter() call: each call copies the query, a cost paid on every page miss.
    conditions = [Q(is_published=True), *(Q(search_text__contains=term) for term in query_terms(filters.query))]
    if filters.audience:
        conditions.append(Q(audiences__code=filters.audience))
    if filters.topic:
        conditions.append(Q(topic=filters.topic))
    if filters.province == NATIONAL:
        conditions.append(Q(owner_province__isnull=True))
    elif filters.province:
        conditions.append(Q(owner_province__code=filters.province))
    if filters.format:
        conditions.append(Q(format=filters.format))
    return Course.objects.filter(*conditions).order_by(*filters.order_by)


def course_list_for_catalogue(*, filters: CatalogueFilters) -> QuerySet[Course]:
    """Return published courses matching the filters, in the chosen order, with what every course card shows."""
    return course_card_related(course_list_matching(filters=filters))


def course_count_of(courses: QuerySet[Course], *, up_to: int | None = None) -> int:
    """How many courses the list holds; with `up_to`, a LIMITed read of ids that stops there (a search's count)."""
    if up_to is None:
        return courses.count()
    # Unordered: PostgreSQL stops at the first `up_to` matches in the order it reads them.
    return len(courses.order_by().values_list("pk", flat=True)[:up_to])


def course_list_visible(*, user: User) -> QuerySet[Course]:
    """Return the courses the user may open: published ones, and unpublished ones they may preview."""
    return scope.filter_visible_or_published(
        Course.objects.all(), user, province_field="owner_province", published_field="is_published"
    )


def course_get_for_page(*, slug: str, user: User) -> Course | None:
    """Return the course for its page: published, or an unpublished one the user may preview."""
    return course_page_related(course_list_visible(user=user)).filter(slug=slug).first()


def course_page_related(courses: QuerySet[Course]) -> QuerySet[Course]:
    """Fetch along what the course page shows of a course: its province, audiences, partners and runs."""
    return courses.select_related("owner_province").prefetch_related(
        "audiences", "partners", Prefetch("runs", queryset=CourseRun.objects.order_by("starts_on"))
    )


# The enrolled learner's run's in-person day, read through relation names in the enrolment's query.
IN_PERSON_DAY = "course_run__in_person_day__"
IN_PERSON_DAY_FIELDS = (
    "id",
    "starts_at",
    "ends_at",
    "venue_name",
    "venue_address",
    "venue_commune__name",
    "cancelled_at",
)
# A seat at the day that is still held (the inperson app's DaySeat statuses, named here as text).
HELD_SEAT_STATUSES = ("signed_up", "waiting")


def enrolment_day_seat_status() -> Subquery:
    """The status of the seat an enrolment's learner holds at their run's in-person day ("signed_up" or
    "waiting"), or None without one (at most one held seat per learner and day)."""
    return Subquery(
        CourseRun.objects.filter(
            id=OuterRef("course_run_id"),
            in_person_day__seats__learner_id=OuterRef("learner_id"),
            in_person_day__seats__status__in=HELD_SEAT_STATUSES,
        ).values("in_person_day__seats__status")[:1]
    )


def in_person_day_of(enrolment: dict | None) -> dict | None:
    """Return the day's fields for the course page (the commune as `commune`), or None without a day."""
    if not enrolment or enrolment[IN_PERSON_DAY + "id"] is None:
        return None
    day = {name: enrolment[IN_PERSON_DAY + name] for name in IN_PERSON_DAY_FIELDS}
    day["commune"] = day.pop("venue_commune__name")
    day["seat_status"] = enrolment["day_seat_status"]
    return day


def course_page_context_get(*, course: Course, user: User, as_preview: bool = False) -> dict:
    """Return what the course page shows this user: the catalogue's page and the studio's preview of it.

    A preview shows the page a learner who has not enrolled yet sees, drafts included, and reads no
    enrolment of the previewing user (staff may be enrolled themselves).
    """
    # The learner's enrolment and completion date in one query, through relation names: courses
    # never imports learners (docs/decisions/0001).
    enrolment = (
        course.enrolments.filter(learner=user, is_active=True)
        .annotate(day_seat_status=enrolment_day_seat_status())
        .values(
            "day_seat_status",
            "completion__completed_at",
            "completion__certificate__code",
            "completion__certificate__revoked_at",
            *(IN_PERSON_DAY + name for name in IN_PERSON_DAY_FIELDS),
        )
        .first()
        if user.is_authenticated and not as_preview
        else None
    )
    is_enrolled = enrolment is not None
    # The outline an enrolled learner sees on the lesson page: their marks, and locks the lesson page
    # enforces (a locked lesson is shown without a link).
    outline = course_outline_get(course=course, learner=user if is_enrolled else None, include_drafts=as_preview)
    next_lesson = outline.next_to_learn()
    final_quizzes = course.lessons.filter(quiz__is_final_exam=True)
    return {
        "course": course,
        "is_preview": as_preview,
        "is_enrolled": is_enrolled,
        "completed_at": enrolment["completion__completed_at"] if enrolment else None,
        "certificate_code": enrolment["completion__certificate__code"] if enrolment else None,
        "certificate_revoked_at": enrolment["completion__certificate__revoked_at"] if enrolment else None,
        "has_final_quiz": (final_quizzes if as_preview else final_quizzes.filter(is_published=True)).exists(),
        "outline": outline,
        "can_preview": scope.can_change(user, course.owner_province_id),
        "progress_percent": outline.percent,
        "has_started": outline.has_started,
        "next_lesson": next_lesson.lesson if next_lesson else None,
        "in_person_day": in_person_day_of(enrolment),
    }


def course_list_for_audience_counts() -> dict[str, int]:
    """Return how many published courses each audience group has, for the home page."""
    rows = Course.objects.filter(is_published=True).values("audiences__code").annotate(total=Count("id")).order_by()
    return {row["audiences__code"]: row["total"] for row in rows if row["audiences__code"]}
