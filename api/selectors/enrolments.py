"""A course's enrolments of the requester's learners, with their progress: the learner export's rows.

The rows are reporting.selectors.exports.learner_enrolments_of_place (the learners who live in the
key's province now, in courses the key may read; all for the ministry), the course one of
reporting.selectors.courses.course_list_readable (another province's course is missing), and the
progress the learner's own page shows (courses.selectors.progress.course_progress_annotations).
"""

from django.db.models import F, OuterRef, QuerySet

from api.selectors.completions import export_province_id
from courses.models import Course
from courses.selectors.progress import course_progress_annotations
from learners.models import Enrolment
from onetouch.models import User
from reporting.selectors.courses import course_list_readable
from reporting.selectors.exports import learner_enrolments_of_place


def course_get_readable(*, user: User, slug: str) -> Course | None:
    """Return the course whose learners the requester may read, or None (missing and out of scope alike)."""
    return course_list_readable(user=user).filter(slug=slug).first()


def enrolment_list_for_api(*, user: User, course: Course) -> QuerySet[Enrolment]:
    """Return the course's enrolments of the requester's learners, with progress, completion and certificate."""
    enrolments = learner_enrolments_of_place(province_id=export_province_id(user=user), viewer=user)
    return (
        enrolments.filter(course=course)
        .select_related("learner", "learner__profile__province", "learner__profile__commune", "course_run")
        .annotate(**course_progress_annotations(course=OuterRef("course_id"), learner=OuterRef("learner_id")))
        .annotate(
            completed_at=F("completion__completed_at"),
            certificate_code=F("completion__certificate__code"),
            certificate_issued_at=F("completion__certificate__issued_at"),
            certificate_revoked_at=F("completion__certificate__revoked_at"),
        )
    )
