"""Writes of the learning-event log: the one function that appends an event.

Every event carries the learner's province, commune and audience group as they are at this
moment (a snapshot: a later move does not rewrite history), and the course's owner province, so
statistics can be folded from the log alone. It is written in the same transaction as the change
it records.
"""

from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce

from courses.models import Course
from learners.models import Enrolment, LearnerProfile, LearningEvent


def learning_event_record(*, kind: str, enrolment: Enrolment, lesson_id: int | None = None) -> LearningEvent:
    """Append an event of the enrolment (and lesson) carrying the learner's place at this moment.

    One INSERT: the place and the course's owner province are read by subqueries inside it, so
    recording an event costs a completion, an enrolment or a quiz one statement. The returned event
    holds its id, kind, learner, course, run and lesson (the copied fields are in the row).
    """
    event = learning_event_of(kind=kind, enrolment=enrolment, lesson_id=lesson_id)
    event.save(force_insert=True)
    return event


def learning_events_record_together(*, kinds: list[str], enrolment: Enrolment) -> None:
    """Append one event of each kind for the enrolment, as learning_event_record does, in one INSERT
    (a first enrolment on the platform is "enrolled" and "learner joined" at once)."""
    LearningEvent.objects.bulk_create([learning_event_of(kind=kind, enrolment=enrolment) for kind in kinds])


def learning_event_of(*, kind: str, enrolment: Enrolment, lesson_id: int | None = None) -> LearningEvent:
    """The unsaved event, its place and the course's owner province as subqueries read when it is inserted."""
    profile = LearnerProfile.objects.filter(user_id=enrolment.learner_id)
    owner_province = Course.objects.filter(id=enrolment.course_id).values("owner_province_id")
    return LearningEvent(
        kind=kind,
        learner_id=enrolment.learner_id,
        course_id=enrolment.course_id,
        course_run_id=enrolment.course_run_id,
        lesson_id=lesson_id,
        course_owner_province_id=Subquery(owner_province),
        province_id=Subquery(profile.values("province_id")),
        commune_id=Subquery(profile.values("commune_id")),
        audience_group=Coalesce(Subquery(profile.values("audience_group")), Value("")),
    )


def learning_events_record_many(*, kind: str, enrolments: list[Enrolment]) -> None:
    """Append one event of this kind per enrolment, each with its learner's place, in two queries."""
    if not enrolments:
        return
    profiles = {
        profile.user_id: profile
        for profile in LearnerProfile.objects.filter(user_id__in=[enrolment.learner_id for enrolment in enrolments])
    }
    LearningEvent.objects.bulk_create(
        [
            LearningEvent(
                kind=kind,
                learner_id=enrolment.learner_id,
                course_id=enrolment.course_id,
                course_run_id=enrolment.course_run_id,
                course_owner_province_id=enrolment.course.owner_province_id,
                province_id=profiles[enrolment.learner_id].province_id if enrolment.learner_id in profiles else None,
                commune_id=profiles[enrolment.learner_id].commune_id if enrolment.learner_id in profiles else None,
                audience_group=profiles[enrolment.learner_id].audience_group
                if enrolment.learner_id in profiles
                else "",
            )
            for enrolment in enrolments
        ],
        batch_size=1000,
    )
