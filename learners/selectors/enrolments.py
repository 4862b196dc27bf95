from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Course, CourseRun
from courses.selectors.catalogue import enrolment_day_seat_status
from courses.selectors.outline import course_outlines_get
from courses.selectors.progress import course_progress_annotations
from learners.models import Enrolment, LearnerProfile
from onetouch import scope
from onetouch.models import Commune, Province, User


def enrolment_list_for_learner(*, learner: User) -> QuerySet[Enrolment]:
    """Return the learner's active enrolments, newest first, with card data, progress, certificate and
    the run's in-person day.

    Each card's next lesson is read for a page of them at once by `enrolments_next_lesson_set`.
    """
    at_row = {"course": OuterRef("course_id"), "learner": OuterRef("learner_id")}
    return (
        Enrolment.objects.filter(learner=learner, is_active=True)
        .select_related("course", "course__owner_province", "course_run")
        .annotate(**course_progress_annotations(**at_row))
        # The completion and its certificate, if any, joined in the same query (one-to-one rows).
        .annotate(
            completed_at=F("completion__completed_at"),
            certificate_code=F("completion__certificate__code"),
            certificate_revoked_at=F("completion__certificate__revoked_at"),
        )
        # The run's in-person day, read through relation names: the inperson app sits above this one.
        .annotate(
            day_id=F("course_run__in_person_day__id"),
            day_starts_at=F("course_run__in_person_day__starts_at"),
            day_ends_at=F("course_run__in_person_day__ends_at"),
            day_venue_name=F("course_run__in_person_day__venue_name"),
            day_venue_address=F("course_run__in_person_day__venue_address"),
            day_commune=F("course_run__in_person_day__venue_commune__name"),
            day_cancelled_at=F("course_run__in_person_day__cancelled_at"),
            day_seat_status=enrolment_day_seat_status(),
        )
        .order_by("-enrolled_at", "-id")
    )


def enrolments_next_lesson_set(*, enrolments: list[Enrolment], learner: User) -> list[Enrolment]:
    """Give each enrolment `next_lesson` (the outline's `next_to_learn`) and `has_started`, in one query.

    The rule is the outline's own (courses.selectors.outline.next_to_learn): the outlines of all
    the enrolments' courses are read together, so the query count does not grow with the courses.
    """
    outlines = course_outlines_get(courses=[enrolment.course for enrolment in enrolments], learner=learner)
    for enrolment in enrolments:
        outline = outlines[enrolment.course_id]
        step = outline.next_to_learn()
        enrolment.next_lesson = step.lesson if step else None
        enrolment.has_started = outline.has_started
    return enrolments


def commune_list_for_province(*, province_code: str) -> QuerySet[Commune]:
    """Return the communes of a province by name, for the profile's commune list."""
    # With its province id: a commune picked from this list is checked against the province (LearnerProfile.clean).
    return Commune.objects.filter(province__code=province_code).only("code", "name", "province_id").order_by("name")


def learner_profile_list_for_province(*, user: User, province: Province) -> QuerySet[LearnerProfile]:
    """Return the learners registered in a province the user may see (nothing otherwise)."""
    profiles = scope.filter_to_scope(LearnerProfile.objects.all(), user, province_field="province")
    return (
        profiles.filter(province=province)
        .select_related("user", "commune")
        .order_by("commune__name", "user__full_name")
    )


def course_get_published(*, slug: str, with_runs: bool = False) -> Course:
    """Return the published course to enrol in or leave (404 otherwise); `with_runs`: the run a new
    enrolment joins read with it (courses_with_open_run), for course_open_run_id."""
    courses = Course.objects.filter(is_published=True)
    if with_runs:
        courses = courses_with_open_run(courses)
    return get_object_or_404(courses, slug=slug)


def courses_with_open_run(courses: QuerySet[Course]) -> QuerySet[Course]:
    """Annotate each course with whether it has runs and the run a new enrolment joins (`open_run_id`:
    the earliest not yet ended), in the courses' own query."""
    runs = CourseRun.objects.filter(course=OuterRef("pk"))
    open_runs = runs.filter(ends_on__gte=timezone.localdate()).order_by("starts_on", "id")
    return courses.annotate(has_runs=Exists(runs), open_run_id=Subquery(open_runs.values("id")[:1]))


def course_open_run_id(*, course: Course) -> int | None:
    """Return the id of the run a new enrolment joins: the earliest not yet ended (None: self-paced).

    Read from the course's annotations when courses_with_open_run read it, else asked in one query."""
    if hasattr(course, "open_run_id"):
        has_runs, open_run_id = course.has_runs, course.open_run_id
    else:
        courses = courses_with_open_run(Course.objects.filter(id=course.id))
        has_runs, open_run_id = courses.values_list("has_runs", "open_run_id").get()
    if has_runs and open_run_id is None:
        raise ValidationError(_("Every run of this course has ended; enrolment is closed."))
    return open_run_id


def learner_profile_get(*, user: User) -> LearnerProfile | None:
    """Return the user's learner profile with its place, if they have one."""
    return LearnerProfile.objects.filter(user=user).select_related("province", "commune").first()
