"""Who an announcement may go to, and who it reaches: every target is found through onetouch.scope.

A provincial admin may write to the learners of their province's courses and course runs, and to
the learners of their province; ministry staff to any. A target outside the user's scope is not
found (404), exactly like one that does not exist.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from announcements.models import Announcement
from courses.models import Course, CourseRun
from learners.models import Enrolment, LearnerProfile
from onetouch import scope
from onetouch.models import Province, User


@dataclass(frozen=True)
class Target:
    """What an announcement is addressed to, resolved within the writer's scope."""

    kind: str
    course: Course | None = None
    course_run: CourseRun | None = None
    province: Province | None = None

    @property
    def key(self) -> str:
        return target_key(self.kind, (self.course_run or self.course or self.province).pk)

    @property
    def scope_province_id(self) -> int | None:
        """The province whose admins may change (and read) an announcement to this target."""
        if self.province is not None:
            return self.province.id
        return self.course.owner_province_id


def target_key(kind: str, pk: int) -> str:
    """The form's value of a target: "course:12", "course_run:5", "province:1"."""
    return f"{kind}:{pk}"


def courses_in_scope(*, user: User) -> QuerySet[Course]:
    """The courses whose learners the user may write to, by title."""
    courses = scope.filter_to_scope(Course.objects.all(), user, province_field="owner_province")
    return courses.only("id", "title", "owner_province_id").order_by("title", "id")


def course_runs_in_scope(*, user: User) -> QuerySet[CourseRun]:
    """The course runs whose learners the user may write to, by course and start."""
    runs = scope.filter_to_scope(CourseRun.objects.all(), user, province_field="course__owner_province")
    return runs.select_related("course").order_by("course__title", "starts_on", "id")


def target_choices(*, user: User) -> list[tuple[str, list[tuple[str, str]]]]:
    """The targets the form offers the user, grouped: provinces, courses, course runs (three queries)."""
    provinces = [(target_key(Announcement.Target.PROVINCE, p.id), p.name) for p in scope.provinces_visible_to(user)]
    courses = [(target_key(Announcement.Target.COURSE, c.id), c.title) for c in courses_in_scope(user=user)]
    runs = [
        (target_key(Announcement.Target.COURSE_RUN, run.id), f"{run.course.title} — {run.title}")
        for run in course_runs_in_scope(user=user)
    ]
    return [
        (str(Announcement.Target.PROVINCE.label), provinces),
        (str(Announcement.Target.COURSE.label), courses),
        (str(Announcement.Target.COURSE_RUN.label), runs),
    ]


def target_get_or_404(*, user: User, kind: str, pk: int) -> Target:
    """Return the target if it exists and lies in the user's scope, else raise 404."""
    if kind == Announcement.Target.PROVINCE:
        province = scope.provinces_visible_to(user).filter(id=pk).first()
        if province is None:
            raise Http404
        return Target(kind=kind, province=province)
    if kind == Announcement.Target.COURSE:
        course = courses_in_scope(user=user).filter(id=pk).first()
        if course is None:
            raise Http404
        return Target(kind=kind, course=course)
    if kind == Announcement.Target.COURSE_RUN:
        run = course_runs_in_scope(user=user).filter(id=pk).first()
        if run is None:
            raise Http404
        return Target(kind=kind, course=run.course, course_run=run)
    raise Http404


def announcement_recipient_ids(*, announcement: Announcement) -> QuerySet:
    """The ids of the active accounts the announcement reaches, ascending (for claiming in chunks).

    A course: its learners still enrolled; a course run: those still enrolled in that run; a
    province: every active account whose learner profile is in it. An account not yet activated
    (invited from a roster, no password yet) is not written to.
    """
    if announcement.target == Announcement.Target.PROVINCE:
        profiles = LearnerProfile.objects.filter(province_id=announcement.province_id, user__is_active=True)
        return profiles.values_list("user_id", flat=True).order_by("user_id")
    enrolments = Enrolment.objects.filter(is_active=True, learner__is_active=True)
    if announcement.target == Announcement.Target.COURSE_RUN:
        enrolments = enrolments.filter(course_run_id=announcement.course_run_id)
    else:
        enrolments = enrolments.filter(course_id=announcement.course_id)
    return enrolments.values_list("learner_id", flat=True).order_by("learner_id")
