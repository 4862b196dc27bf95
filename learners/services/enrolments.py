"""Writes of the learner's side: profiles and enrolments (events: learners.services.events)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Course, CourseRun
from learners.models import Enrolment, LearnerProfile, LearningEvent
from learners.selectors.enrolments import course_open_run_id
from learners.services.events import (
    learning_event_record,
    learning_events_record_many,
    learning_events_record_together,
)
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
    profile: LearnerProfile | None = None,
) -> LearnerProfile:
    """Create or update the learner's profile; the commune must belong to the province (LearnerProfile.clean).

    `profile`: the user's profile when the caller has just read it (the profile page), not read again."""
    if full_name is not None:
        user.full_name = full_name.strip()
        user.save(update_fields=["full_name"])
    if profile is None:
        profile = LearnerProfile.objects.filter(user=user).first() or LearnerProfile(user=user)
    profile.audience_group = audience_group
    profile.province = province
    profile.commune = commune
    profile.organisation = organisation.strip()
    profile.position = position.strip()
    # The user, province and commune are rows in hand: checking that they exist would read each again.
    profile.full_clean(exclude=["user", "province", "commune"])
    profile.save()
    return profile


@transaction.atomic
def enrolment_create(*, learner: User, course: Course, course_run: CourseRun | None = None) -> Enrolment:
    """Enrol the learner; a repeated click, even a concurrent one, keeps one enrolment.

    A new enrolment joins `course_run` when one is named (a roster import names its run), else the
    course's earliest open run. The course's row is not written: its enrolment count is the periodic
    recount's (course_enrolment_counts_refresh), so thousands enrolling in one course at once do not
    queue on that row.
    """
    if not course.is_published:
        raise ValidationError(_("This course is not open for enrolment."))
    if course_run is not None and course_run.course_id != course.id:
        raise ValidationError(_("This run belongs to another course."))
    run_id = course_run.id if course_run is not None else course_open_run_id(course=course)
    # The learner's row is locked first, as enrolments_create_many does: a repeated click (even a
    # concurrent one), two first enrolments in two courses at once and a roster batch take turns,
    # and each reads, after the lock, what the one before wrote: its enrolment here, and whether the
    # learner had one anywhere else (then this is not their first on the platform).
    User.objects.select_for_update().filter(id=learner.id).values_list("id", flat=True).first()
    mine = Enrolment.objects.filter(learner=learner).aggregate(
        here=Max("id", filter=Q(course=course)), elsewhere=Count("id", filter=~Q(course=course))
    )
    if mine["here"] is None:
        enrolment = Enrolment(learner=learner, course=course, course_run_id=run_id)
        enrolment.save(force_insert=True)
    else:
        enrolment = Enrolment.objects.get(id=mine["here"])
        if enrolment.is_active:
            return enrolment
        enrolment.is_active = True
        enrolment.unenrolled_at = None
        enrolment.course_run_id = run_id
        enrolment.save(update_fields=["is_active", "unenrolled_at", "course_run"])
    kinds = [LearningEvent.Kind.ENROLLED]
    if mine["here"] is None and not mine["elsewhere"]:  # their first enrolment on the platform
        kinds.append(LearningEvent.Kind.LEARNER_JOINED)
    learning_events_record_together(kinds=kinds, enrolment=enrolment)
    return enrolment


@transaction.atomic
def enrolment_cancel(*, learner: User, course: Course) -> None:
    """Cancel the learner's enrolment in the course; cancelling twice changes nothing."""
    enrolment = Enrolment.objects.select_for_update().filter(learner=learner, course=course, is_active=True).first()
    if enrolment is None:
        return
    enrolment.is_active = False
    enrolment.unenrolled_at = timezone.now()
    enrolment.save(update_fields=["is_active", "unenrolled_at"])
    learning_event_record(kind=LearningEvent.Kind.UNENROLLED, enrolment=enrolment)


def save_data_choose(*, user: User, save_data: bool) -> None:
    """Remember the learner's "save data" choice on the profile, for every device they sign in on."""
    updated = LearnerProfile.objects.filter(user_id=user.id).update(save_data=save_data, updated_at=timezone.now())
    if not updated:
        raise ValidationError(_("Complete your learner profile first."), code="no_profile")


@dataclass(frozen=True)
class NewProfile:
    """A profile to create for an account that has none (a roster's new or matched person)."""

    user_id: int
    audience_group: str
    commune: Commune
    organisation: str = ""
    position: str = ""


def profiles_create_missing(*, profiles: list[NewProfile]) -> set[int]:
    """Create the profiles of the accounts that have none yet, in two queries; return whose were created.

    An account's existing profile is theirs and is left as it is. Each commune carries its province,
    so the rule of LearnerProfile.clean holds by construction.
    """
    having = set(
        LearnerProfile.objects.filter(user_id__in=[profile.user_id for profile in profiles]).values_list(
            "user_id", flat=True
        )
    )
    missing = {profile.user_id: profile for profile in profiles if profile.user_id not in having}
    LearnerProfile.objects.bulk_create(
        [
            LearnerProfile(
                user_id=profile.user_id,
                audience_group=profile.audience_group,
                province_id=profile.commune.province_id,
                commune=profile.commune,
                organisation=profile.organisation.strip()[:200],
                position=profile.position.strip()[:200],
            )
            for profile in missing.values()
        ]
    )
    return set(missing)


@transaction.atomic
def enrolments_create_many(*, learner_ids: list[int], course: Course, course_run: CourseRun) -> set[int]:
    """Enrol many learners in one run at once (a roster's batch); return the ids newly enrolled.

    The same rules as enrolment_create, in a bounded number of queries: an active enrolment is left as
    it is, a cancelled one is taken up again, events are written with each learner's place. The
    learners' rows are locked first, in id order, so two batches naming the same people wait for each
    other instead of racing; a concurrent single enrolment makes the insert fail, and the caller
    falls back to enrolment_create row by row.
    """
    if not course.is_published:
        raise ValidationError(_("This course is not open for enrolment."))
    if course_run.course_id != course.id:
        raise ValidationError(_("This run belongs to another course."))
    ids = sorted(set(learner_ids))
    list(User.objects.select_for_update().filter(id__in=ids).order_by("id").values_list("id", flat=True))
    existing = {
        enrolment.learner_id: enrolment for enrolment in Enrolment.objects.filter(course=course, learner_id__in=ids)
    }
    taken_up = [enrolment for enrolment in existing.values() if not enrolment.is_active]
    for enrolment in taken_up:
        enrolment.is_active, enrolment.unenrolled_at, enrolment.course_run = True, None, course_run
    Enrolment.objects.bulk_update(taken_up, ["is_active", "unenrolled_at", "course_run"])
    created = Enrolment.objects.bulk_create(
        [Enrolment(learner_id=pk, course=course, course_run=course_run) for pk in ids if pk not in existing]
    )
    enrolled = [*taken_up, *created]
    if not enrolled:
        return set()
    for enrolment in enrolled:
        enrolment.course = course
    learning_events_record_many(kind=LearningEvent.Kind.ENROLLED, enrolments=enrolled)
    elsewhere = set(
        Enrolment.objects.filter(learner_id__in=[enrolment.learner_id for enrolment in created])
        .exclude(course=course)
        .values_list("learner_id", flat=True)
    )
    joined = [enrolment for enrolment in created if enrolment.learner_id not in elsewhere]
    learning_events_record_many(kind=LearningEvent.Kind.LEARNER_JOINED, enrolments=joined)
    return {enrolment.learner_id for enrolment in enrolled}
