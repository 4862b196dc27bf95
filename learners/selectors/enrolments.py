from django.core.exceptions import ValidationError
from django.db.models import Exists, Expression, F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Course, CourseRun, Lesson
from courses.selectors.progress import course_progress_annotations
from learners.models import Enrolment, LearnerProfile, LessonProgress
from onetouch import scope
from onetouch.models import Commune, Province, User


def next_lesson_annotations(*, course: Expression, learner: Expression) -> dict[str, Expression]:
    """Return annotations giving each row `next_lesson_id`, `next_lesson_title` and `has_started`.

    The next lesson is the outline's `next_to_learn` (courses.selectors.outline): the first published
    lesson in outline order the learner has not completed. That lesson is never locked, since a lock
    needs an earlier lesson not completed; None when every lesson is done. Correlated subqueries on
    the row's course and learner: a list's query count does not grow with courses or lessons.
    """
    # One level deeper than `lessons`: the row's learner is the outer query's outer reference.
    completed = LessonProgress.objects.filter(
        lesson=OuterRef("pk"), learner=OuterRef(learner), completed_at__isnull=False
    )
    lessons = Lesson.objects.filter(course=course, is_published=True)
    not_done = lessons.exclude(Exists(completed)).order_by("module__position", "module__id", "position", "id")
    return {
        "next_lesson_id": Subquery(not_done.values("id")[:1]),
        "next_lesson_title": Subquery(not_done.values("title")[:1]),
        "has_started": Exists(lessons.filter(Exists(completed))),
    }


def enrolment_list_for_learner(*, learner: User) -> QuerySet[Enrolment]:
    """Return the learner's active enrolments, newest first, with card data, progress, next lesson,
    certificate and the run's in-person day."""
    at_row = {"course": OuterRef("course_id"), "learner": OuterRef("learner_id")}
    return (
        Enrolment.objects.filter(learner=learner, is_active=True)
        .select_related("course", "course__owner_province", "course_run")
        .annotate(**course_progress_annotations(**at_row))
        .annotate(**next_lesson_annotations(**at_row))
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
        )
        .order_by("-enrolled_at", "-id")
    )


def commune_list_for_province(*, province_code: str) -> QuerySet[Commune]:
    """Return the communes of a province by name, for the profile's commune list."""
    return Commune.objects.filter(province__code=province_code).only("code", "name").order_by("name")


def learner_profile_list_for_province(*, user: User, province: Province) -> QuerySet[LearnerProfile]:
    """Return the learners registered in a province the user may see (nothing otherwise)."""
    profiles = scope.filter_to_scope(LearnerProfile.objects.all(), user, province_field="province")
    return (
        profiles.filter(province=province)
        .select_related("user", "commune")
        .order_by("commune__name", "user__full_name")
    )


def course_run_open_for_enrolment(*, course: Course) -> CourseRun | None:
    """Return the run a new enrolment joins: the earliest not yet ended (None: self-paced)."""
    runs = list(course.runs.all())
    if not runs:
        return None
    today = timezone.localdate()
    open_runs = [run for run in runs if run.ends_on >= today]
    if not open_runs:
        raise ValidationError(_("Every run of this course has ended; enrolment is closed."))
    return min(open_runs, key=lambda run: run.starts_on)


def learner_profile_get(*, user: User) -> LearnerProfile | None:
    """Return the user's learner profile with its place, if they have one."""
    return LearnerProfile.objects.filter(user=user).select_related("province", "commune").first()
