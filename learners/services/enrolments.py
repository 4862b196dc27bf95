"""Writes of the learner's side: profiles and enrolments (events: learners.services.events)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Course, CourseRun
from courses.services.catalogue import course_enrolment_count_add
from learners.models import Enrolment, LearnerProfile, LearningEvent
from learners.selectors.enrolments import course_run_open_for_enrolment
from learners.services.events import learning_event_record
from onetouch.models import Commune, Province, User


@transaction.atomic
def profile_save(
    *,
    user: User,
    audience_group: str,
    province: Province,
    commune: Commune,
    organisation: str = "",
    position: str = "",
    full_name: str | None = None,
) -> LearnerProfile:
    """Create or update the learner's profile; the commune must belong to the province (LearnerProfile.clean)."""
    if full_name is not None:
        user.full_name = full_name.strip()
        user.save(update_fields=["full_name"])
    profile = LearnerProfile.objects.filter(user=user).first() or LearnerProfile(user=user)
    profile.audience_group = audience_group
    profile.province = province
    profile.commune = commune
    profile.organisation = organisation.strip()
    profile.position = position.strip()
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def enrolment_create(*, learner: User, course: Course, course_run: CourseRun | None = None) -> Enrolment:
    """Enrol the learner; a repeated click, even a concurrent one, keeps one enrolment.

    A new enrolment joins `course_run` when one is named (a roster import names its run), else the
    course's earliest open run.
    """
    if not course.is_published:
        raise ValidationError(_("This course is not open for enrolment."))
    if course_run is not None and course_run.course_id != course.id:
        raise ValidationError(_("This run belongs to another course."))
    run = course_run or course_run_open_for_enrolment(course=course)
    enrolment, created = Enrolment.objects.select_for_update().get_or_create(
        learner=learner, course=course, defaults={"course_run": run}
    )
    if not created:
        if enrolment.is_active:
            return enrolment
        enrolment.is_active = True
        enrolment.unenrolled_at = None
        enrolment.course_run = run
        enrolment.save(update_fields=["is_active", "unenrolled_at", "course_run"])
    course_enrolment_count_add(course_id=course.id, delta=1)
    learning_event_record(kind=LearningEvent.Kind.ENROLLED, enrolment=enrolment)
    if created and learner_is_new(learner=learner, enrolment=enrolment):
        learning_event_record(kind=LearningEvent.Kind.LEARNER_JOINED, enrolment=enrolment)
    return enrolment


def learner_is_new(*, learner: User, enrolment: Enrolment) -> bool:
    """Return whether this enrolment is the learner's first on the platform.

    The learner's row is locked first, so two first enrolments in two courses at once still count
    the learner once.
    """
    User.objects.select_for_update().filter(id=learner.id).first()
    return not Enrolment.objects.filter(learner=learner).exclude(id=enrolment.id).exists()


@transaction.atomic
def enrolment_cancel(*, learner: User, course: Course) -> None:
    """Cancel the learner's enrolment in the course; cancelling twice changes nothing."""
    enrolment = Enrolment.objects.select_for_update().filter(learner=learner, course=course, is_active=True).first()
    if enrolment is None:
        return
    enrolment.is_active = False
    enrolment.unenrolled_at = timezone.now()
    enrolment.save(update_fields=["is_active", "unenrolled_at"])
    course_enrolment_count_add(course_id=course.id, delta=-1)
    learning_event_record(kind=LearningEvent.Kind.UNENROLLED, enrolment=enrolment)


def save_data_choose(*, user: User, save_data: bool) -> None:
    """Remember the learner's "save data" choice on the profile, for every device they sign in on."""
    updated = LearnerProfile.objects.filter(user_id=user.id).update(save_data=save_data, updated_at=timezone.now())
    if not updated:
        raise ValidationError(_("Complete your learner profile first."), code="no_profile")
